#!/bin/sh
# kafka-run-class.sh <class> [args]: a Kafka main class on the jars in /opt/kafka/libs
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -Djava.awt.headless=true \
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties} \
  -cp '/opt/kafka/libs/*' "$@"
