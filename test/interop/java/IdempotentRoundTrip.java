// Apache Kafka's Java clients (kafka-clients, from the jars tools/kafka resolves) against a Samsa
// broker, driven by JSON lines as described in test/interop/client-records.ts. Run as a
// single-file source program: java -cp 'libs/*' IdempotentRoundTrip.java <command> ...
//
//   admin <bootstrap> <partitions> <topic>...
//       AdminClient: creates the topics (replication factor 1), then prints
//       {"type":"cluster",...} (describeCluster) and {"type":"topics","names":[...]} (listTopics,
//       sorted).
//   roundtrip <bootstrap> <topic-prefix> <group-prefix> <partitions> <codec>...
//       For each codec, topic <topic-prefix>-<codec> and group <group-prefix>-<codec>:
//       an idempotent producer (enable.idempotence=true, acks=all, compression.type=<codec>)
//       sends the records read from stdin to their partitions with their CreateTimes and
//       prints one "ack" line per record; then a KafkaConsumer in the group (manual commit,
//       from the earliest offset) reads them all, prints one "record" line per record and its
//       "assignment", commits synchronously and prints the offsets committed() reads back.
//       Every line carries "run": <codec>.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class IdempotentRoundTrip {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder UNB64 = Base64.getDecoder();

  /** Producer callbacks run on the producer's I/O thread: one line at a time. */
  private static synchronized void print(ObjectNode line) throws Exception {
    System.out.println(JSON.writeValueAsString(line));
    System.out.flush();
  }

  private static String b64(byte[] bytes) {
    return bytes == null ? null : B64.encodeToString(bytes);
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "admin" -> admin(args[1], Integer.parseInt(args[2]), List.of(args).subList(3, args.length));
      case "roundtrip" -> {
        List<JsonNode> records = readRecords();
        int partitions = Integer.parseInt(args[4]);
        for (int i = 5; i < args.length; i++) {
          String codec = args[i];
          produce(args[1], args[2] + "-" + codec, codec, records);
          consume(args[1], args[2] + "-" + codec, args[3] + "-" + codec, codec, records.size(), partitions);
        }
      }
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  private static List<JsonNode> readRecords() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isBlank()) out.add(JSON.readTree(line));
    }
    return out;
  }

  private static void admin(String bootstrap, int partitions, List<String> topics) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) newTopics.add(new NewTopic(topic, partitions, (short) 1));
      admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
      DescribeClusterResult cluster = admin.describeCluster();
      ObjectNode line = JSON.createObjectNode().put("type", "cluster");
      line.put("clusterId", cluster.clusterId().get(30, TimeUnit.SECONDS));
      line.put("controller", cluster.controller().get(30, TimeUnit.SECONDS).id());
      ArrayNode nodes = line.putArray("nodes");
      for (Node n : cluster.nodes().get(30, TimeUnit.SECONDS)) {
        nodes.addObject().put("id", n.id()).put("host", n.host()).put("port", n.port());
      }
      print(line);
      ObjectNode listed = JSON.createObjectNode().put("type", "topics");
      ArrayNode names = listed.putArray("names");
      for (String name : new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS))) names.add(name);
      print(listed);
    }
  }

  private static void produce(String bootstrap, String topic, String codec, List<JsonNode> records)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Small batches, so each partition gets several and the sequence numbers must follow on.
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    List<Exception> failures = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < records.size(); i++) {
        JsonNode r = records.get(i);
        RecordHeaders headers = new RecordHeaders();
        for (JsonNode h : r.get("headers")) headers.add(h.get("key").asText(), UNB64.decode(h.get("value").asText()));
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(
                topic,
                r.get("partition").asInt(),
                r.get("timestamp").asLong(),
                UNB64.decode(r.get("key").asText()),
                UNB64.decode(r.get("value").asText()),
                headers);
        final int index = i;
        producer.send(
            record,
            (meta, error) -> {
              try {
                if (error != null) {
                  synchronized (failures) {
                    failures.add(error);
                  }
                  return;
                }
                print(
                    JSON.createObjectNode()
                        .put("type", "ack")
                        .put("run", codec)
                        .put("index", index)
                        .put("partition", meta.partition())
                        .put("offset", meta.offset()));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
      }
      producer.flush();
    }
    if (!failures.isEmpty()) throw new RuntimeException("produce failed", failures.get(0));
  }

  private static void consume(
      String bootstrap, String topic, String group, String codec, int count, int partitions) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      Map<TopicPartition, OffsetAndMetadata> next = new TreeMap<>((a, b) -> a.partition() - b.partition());
      int seen = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (seen < count) {
        if (System.nanoTime() > deadline) throw new RuntimeException("consumed " + seen + " of " + count);
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          ObjectNode line =
              JSON.createObjectNode()
                  .put("type", "record")
                  .put("run", codec)
                  .put("partition", r.partition())
                  .put("offset", r.offset())
                  .put("key", b64(r.key()))
                  .put("value", b64(r.value()))
                  .put("timestamp", r.timestamp())
                  .put("timestampType", r.timestampType().name);
          ArrayNode headers = line.putArray("headers");
          for (Header h : r.headers()) headers.addObject().put("key", h.key()).put("value", b64(h.value()));
          print(line);
          next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          seen++;
        }
      }
      Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
      ObjectNode assignment = JSON.createObjectNode().put("type", "assignment").put("run", codec);
      ArrayNode ps = assignment.putArray("partitions");
      assigned.stream().map(TopicPartition::partition).sorted().forEach(ps::add);
      print(assignment);
      consumer.commitSync(next);
      Set<TopicPartition> all = new HashSet<>();
      for (int p = 0; p < partitions; p++) all.add(new TopicPartition(topic, p));
      Map<TopicPartition, OffsetAndMetadata> read = consumer.committed(all, Duration.ofSeconds(30));
      ObjectNode committed = JSON.createObjectNode().put("type", "committed").put("run", codec);
      ObjectNode offsets = committed.putObject("offsets");
      for (int p = 0; p < partitions; p++) {
        OffsetAndMetadata om = read.get(new TopicPartition(topic, p));
        if (om != null) offsets.put(String.valueOf(p), om.offset());
      }
      print(committed);
    }
  }
}
