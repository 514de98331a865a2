#!/usr/bin/env bash
# Stage the archives that the roles and the pytest fixtures install, built from
# Maven Central because the Apache and Apicurio download sites are not
# reachable here. The Kafka archive has the official tarball's layout
# (kafka_2.13-VERSION/libs/*.jar), so the roles' code path is the same as in
# production. Re-running is a no-op once the archives and their sums exist.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
out=${ARTIFACTS_DIR:-$root/.cache/artifacts}
kafka_version=$("$python" "$root/tests/bench/versions.py" kafka)
apicurio_version=$("$python" "$root/tests/bench/versions.py" apicurio)
jmx_exporter_version=$("$python" "$root/tests/bench/versions.py" jmx_exporter)
scala=2.13
kafka_dir=kafka_${scala}-${kafka_version}
kafka_tgz=$out/$kafka_dir.tgz
apicurio_tgz=$out/apicurio-registry-app-${apicurio_version}-all.tar.gz
jmx_exporter_jar=$out/jmx_prometheus_javaagent-${jmx_exporter_version}.jar
mvn=(mvn --batch-mode --quiet --no-transfer-progress)
mkdir -p "$out"

sum_ok() { [ -f "$1" ] && [ -f "$1.sha512" ] && (cd "$(dirname "$1")" && sha512sum --quiet -c "$(basename "$1").sha512"); }
record_sum() { (cd "$(dirname "$1")" && sha512sum "$(basename "$1")" > "$(basename "$1").sha512"); }

if ! sum_ok "$kafka_tgz"; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # kafka-tools brings the logging backend (reload4j) that the broker's
  # runtime closure lacks, and the CLI classes operators expect in libs/.
  cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ecommerce.kafka</groupId><artifactId>kafka-dist</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${scala}</artifactId><version>${kafka_version}</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${kafka_version}</version></dependency>
  </dependencies>
</project>
POM
  "${mvn[@]}" -f "$work/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/$kafka_dir/libs"
  # A fixed mtime and owner make the archive, and so its sum, reproducible.
  tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$kafka_dir" \
    | gzip -n > "$kafka_tgz.part"
  mv "$kafka_tgz.part" "$kafka_tgz"
  record_sum "$kafka_tgz"
fi

if ! sum_ok "$apicurio_tgz"; then
  "${mvn[@]}" dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:${apicurio_version}:tar.gz:all" \
    -DoutputDirectory="$out"
  record_sum "$apicurio_tgz"
fi

# The metrics agent is published on Maven Central itself: the roles' production
# URL is the same file.
if ! sum_ok "$jmx_exporter_jar"; then
  "${mvn[@]}" dependency:copy \
    -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:${jmx_exporter_version}" \
    -DoutputDirectory="$out"
  record_sum "$jmx_exporter_jar"
fi

ls -l "$kafka_tgz" "$apicurio_tgz" "$jmx_exporter_jar"
