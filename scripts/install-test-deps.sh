#!/usr/bin/env bash
# Installs the system packages the test suite needs, when missing (Debian, as root).
# Node.js and npm bring the pinned Node 24 from npm; everything else the tests use comes from here.
# To add a package: one line in the list below, "<debian package> <how to tell it is installed>".
set -euo pipefail

# package            check (a shell test that succeeds when the package is usable)
checks=(
  "nodejs            command -v node"
  "npm               command -v npm"
  # Interop tests (test/interop/): librdkafka's command-line client...
  "kcat              command -v kcat"
  # ...and kafka-python 2.0.2, run with the Debian interpreter /usr/bin/python3, with its optional
  # codecs (it writes xerial-framed snappy, which the broker must accept next to raw snappy).
  "python3-kafka     /usr/bin/python3 -c 'import kafka'"
  "python3-snappy    /usr/bin/python3 -c 'import snappy'"
  "python3-lz4       /usr/bin/python3 -c 'import lz4.frame'"
  # ...kafka-python 2.x and confluent-kafka from PyPI, pip-installed by the tests into a venv
  # (.venv/interop) that Debian's python makes: venv needs ensurepip, which python3-venv brings...
  "python3-venv      /usr/bin/python3 -c 'import ensurepip; ensurepip.version()'"
  # ...and franz-go, built by its test with any Go from 1.19 on (Debian 12's golang-go is 1.19;
  # a newer Go already on PATH is kept). Its modules come from the Go module proxy (go.sum pins them).
  "golang-go         command -v go"
  # ZooKeeper for test/metadata/zk/ and the cluster tests: a Java server with no command on PATH,
  # so look for the server jar that test/metadata/zk-server.ts runs (the package brings a JRE).
  "zookeeper         test -f /usr/share/java/zookeeper.jar -a -x /usr/bin/java"
  # Apache Kafka beside Samsa (npm run test:kafka, bench:kafka): a JDK 17+ runs Kafka's broker and
  # tools (and single-file Java programs, which need javac's compiler module); Maven resolves
  # Kafka's jars from Maven Central (tools/kafka/pom.xml).
  "default-jdk-headless  command -v javac"
  "maven             command -v mvn"
)

need=()
for entry in "${checks[@]}"; do
  read -r pkg check <<<"$entry"
  eval "$check" >/dev/null 2>&1 || need+=("$pkg")
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]} (run as root, or install them: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
