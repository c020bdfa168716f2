#!/bin/sh
# The broker's properties from the environment, as the official image reads them: KAFKA_FOO_BAR ->
# foo.bar, a double underscore -> an underscore, a triple one -> a dash. Then format the storage
# once with CLUSTER_ID and start the broker.
set -eu
config=/var/lib/kafka/server.properties
: > "$config"
env | grep '^KAFKA_' | grep -v -e '^KAFKA_HEAP_OPTS=' -e '^KAFKA_OPTS=' -e '^KAFKA_LOG4J_OPTS=' | while IFS='=' read -r name value; do
  key=$(printf '%s' "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  printf '%s=%s\n' "$key" "$value" >> "$config"
done
grep -q '^log.dirs=' "$config" || echo "log.dirs=/var/lib/kafka/data" >> "$config"
logdir=$(sed -n 's/^log\.dirs=//p' "$config" | cut -d, -f1)
if [ ! -f "$logdir/meta.properties" ]; then
  "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool format \
    --cluster-id="${CLUSTER_ID:?set CLUSTER_ID to a base64 UUID}" -c "$config" >/dev/null
fi
exec "$(dirname "$0")/kafka-run-class.sh" kafka.Kafka "$config"
