#!/usr/bin/env bash
# Start/stop one Apache Kafka broker from jars resolved by ./pom.xml, in KRaft combined mode or
# (3.9 only) in ZooKeeper mode against the Debian `zookeeper` package.
#
#   tools/kafka/kafka.sh start <line> <port> [controller-port] [data-dir]   # KRaft; prints the PID
#   tools/kafka/kafka.sh start-zk <port> <zk-connect> [data-dir]            # 3.9 + ZooKeeper; prints the PID
#   tools/kafka/kafka.sh zookeeper <port> [data-dir]                        # Debian ZooKeeper; prints the PID
#   tools/kafka/kafka.sh stop <pid>
#   tools/kafka/kafka.sh libs <line>                                         # prints the libs dir
#
# <line> is 3.9 or 4 (Maven profiles kafka-3.9 / kafka-4 in pom.xml). Needs java (17+) on PATH,
# and mvn only for the first run of a line: resolved jars are reused afterwards (no network).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "kafka.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 not found on PATH ($2)"; }

# Prints the libs dir of the newest resolved version of <line>; resolves it with Maven if absent.
libs() {
  local line="$1" dir
  case "$line" in 3.9|4) ;; *) die "unknown Kafka line '$line' (use 3.9 or 4)";; esac
  dir="$(ls -d "$HERE"/target/kafka-"$line".*/.resolved 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$dir" ]; then
    # One resolver at a time (test files start Kafka in parallel): wait for the lock, then look again.
    mkdir -p "$HERE/target"
    exec 9>"$HERE/target/.resolve.lock"
    flock 9
    dir="$(ls -d "$HERE"/target/kafka-"$line".*/.resolved 2>/dev/null | sort -V | tail -1 || true)"
  fi
  if [ -z "$dir" ]; then
    need mvn "install Maven, e.g. apt-get install maven"
    echo "kafka.sh: resolving Kafka $line with Maven..." >&2
    mvn -B -q -f "$HERE/pom.xml" -P"kafka-$line" package >&2
    for d in "$HERE"/target/kafka-"$line".*/libs; do touch "$(dirname "$d")/.resolved"; done
    dir="$(ls -d "$HERE"/target/kafka-"$line".*/.resolved | sort -V | tail -1)"
  fi
  exec 9>&- # never hand the lock to a broker started next
  echo "$(dirname "$dir")/libs"
}

# ApiVersions v0 request (size 10, api_key 18, version 0, correlation id 1, null client id);
# succeeds when the reply carries correlation id 1 and error code 0.
api_versions_ok() {
  local port="$1" reply
  reply="$(timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff" >&3
    head -c 10 <&3 | od -An -tx1' "$port" 2>/dev/null)" || return 1
  [ "$(echo $reply | cut -d" " -f5-10)" = "00 00 00 01 00 00" ]
}

# Writes the log4j (3.9) and log4j2 (4.x) configs into $1 and sets JVM to the java command line.
jvm_for() {
  local data="$1" lib="$2"
  cat > "$data/log4j.properties" <<'CONF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
  cat > "$data/log4j2.properties" <<'CONF'
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
CONF
  JVM=(java ${KAFKA_HEAP_OPTS:--Xmx1g -Xms256m} ${KAFKA_JVM_PERFORMANCE_OPTS:-} -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$data/log4j.properties"
    "-Dlog4j2.configurationFile=$data/log4j2.properties"
    "-Dkafka.logs.dir=$data" -cp "$lib/*")
}

# Settings both modes share (single broker: every replication factor 1, no rebalance delay).
common_properties() {
  cat <<CONF
log.dirs=$1/logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
CONF
}

make_data_dir() {
  local data="$1" name="$2"
  [ -n "$data" ] || data="$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")"
  mkdir -p "$data"; (cd "$data" && pwd)
}

# Launches "${JVM[@]}" "$@" detached, logging to $data/$log, and waits for $ready_cmd to succeed.
launch() {
  local data="$1" log="$2" what="$3" ready="$4"; shift 4
  setsid nohup "${JVM[@]}" "$@" > "$data/$log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$data/${log%.log}.pid"
  local deadline=$(( SECONDS + ${KAFKA_START_TIMEOUT:-60} ))
  until eval "$ready"; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$data/$log" >&2; die "$what exited during startup"; }
    [ $SECONDS -lt $deadline ] || { kill "$pid"; tail -20 "$data/$log" >&2; die "$what did not get ready"; }
    sleep 0.2
  done
  echo "$pid"
}

start() {
  local line="$1" port="$2" cport="${3:-$(( $2 + 1 ))}" data
  need java "install a JDK 17+, e.g. apt-get install openjdk-17-jre-headless"
  data="$(make_data_dir "${4:-}" "kafka-$line-$port")"
  local lib; lib="$(libs "$line")"
  { cat <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
CONF
    common_properties "$data"; } > "$data/server.properties"
  jvm_for "$data" "$lib"

  if [ ! -f "$data/logs/meta.properties" ]; then
    # Kafka cluster ids are 16 random bytes, URL-safe base64 without padding (never starting
    # with '-', which the option parser would take for a flag).
    local cluster_id=-
    while [ "${cluster_id:0:1}" = - ]; do
      cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    "${JVM[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" \
      > "$data/format.log" 2>&1 || { cat "$data/format.log" >&2; die "storage format failed"; }
  fi
  local pid
  pid="$(launch "$data" kafka.log "Kafka" \
    "grep -q 'Kafka Server started' '$data/kafka.log' 2>/dev/null && api_versions_ok $port" \
    kafka.Kafka "$data/server.properties")"
  echo "kafka.sh: Kafka $line KRaft ($(basename "$(dirname "$lib")")) on 127.0.0.1:$port, data $data, log $data/kafka.log" >&2
  echo "$pid"
}

# Kafka 3.9 in ZooKeeper mode (4.x has no ZooKeeper mode). <zk-connect> may carry a chroot
# (127.0.0.1:2181/kafka), which Kafka creates when missing.
start_zk() {
  local port="$1" zk="$2" data
  need java "install a JDK 17+, e.g. apt-get install openjdk-17-jre-headless"
  data="$(make_data_dir "${3:-}" "kafka-zk-$port")"
  local lib; lib="$(libs 3.9)"
  { cat <<CONF
broker.id=1
zookeeper.connect=$zk
zookeeper.connection.timeout.ms=30000
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
CONF
    common_properties "$data"; } > "$data/server.properties"
  jvm_for "$data" "$lib"
  local pid
  pid="$(launch "$data" kafka.log "Kafka" \
    "grep -q 'started (kafka.server.KafkaServer)' '$data/kafka.log' 2>/dev/null && api_versions_ok $port" \
    kafka.Kafka "$data/server.properties")"
  echo "kafka.sh: Kafka 3.9 ZooKeeper mode ($(basename "$(dirname "$lib")")) on 127.0.0.1:$port, zookeeper $zk, data $data" >&2
  echo "$pid"
}

# A standalone ZooKeeper from the Debian package `zookeeper` (/usr/share/java/zookeeper.jar).
zookeeper() {
  local port="$1" data jar=/usr/share/java/zookeeper.jar
  need java "install a JDK 17+, e.g. apt-get install openjdk-17-jre-headless"
  [ -f "$jar" ] || die "$jar is missing: apt-get install zookeeper"
  data="$(make_data_dir "${2:-}" "zookeeper-$port")"
  cat > "$data/zoo.cfg" <<CONF
tickTime=500
dataDir=$data/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
forceSync=no
4lw.commands.whitelist=*
CONF
  local cp="$jar"
  [ -f /usr/share/java/slf4j-simple.jar ] && cp="$cp:/usr/share/java/slf4j-simple.jar"
  JVM=(java -Xmx256m -Djava.awt.headless=true -Dzookeeper.admin.enableServer=false -cp "$cp")
  local pid
  pid="$(launch "$data" zookeeper.log "ZooKeeper" \
    "[ \"\$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$port && printf ruok >&3 && head -c4 <&3' 2>/dev/null)\" = imok ]" \
    org.apache.zookeeper.server.ZooKeeperServerMain "$data/zoo.cfg")"
  echo "kafka.sh: ZooKeeper on 127.0.0.1:$port, data $data" >&2
  echo "$pid"
}

stop() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || die "no process $pid"
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  echo "kafka.sh: $pid still running after 30 s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) [ $# -ge 3 ] || die "usage: kafka.sh start <3.9|4> <port> [controller-port] [data-dir]"; shift; start "$@";;
  start-zk) [ $# -ge 3 ] || die "usage: kafka.sh start-zk <port> <zk-connect> [data-dir]"; shift; start_zk "$@";;
  zookeeper) [ $# -ge 2 ] || die "usage: kafka.sh zookeeper <port> [data-dir]"; shift; zookeeper "$@";;
  stop)  [ $# -eq 2 ] || die "usage: kafka.sh stop <pid>"; stop "$2";;
  libs)  [ $# -eq 2 ] || die "usage: kafka.sh libs <3.9|4>"; libs "$2";;
  *) die "usage: kafka.sh start <3.9|4> <port> [controller-port] [data-dir] | start-zk <port> <zk-connect> [data-dir] | zookeeper <port> [data-dir] | stop <pid> | libs <3.9|4>";;
esac
