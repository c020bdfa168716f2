#!/bin/sh
KAFKA_HEAP_OPTS="-Xmx256m -XX:TieredStopAtLevel=1" \
KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=/opt/kafka/config/log4j2-tools.properties" \
  exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
