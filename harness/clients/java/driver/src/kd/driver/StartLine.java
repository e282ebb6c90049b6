package kd.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The start line, checked field by field (an unknown or ill-typed field is refused by its path),
 * and the profile mapped onto kafka-clients' producer configs. Every profile field the Java client
 * cannot honour is refused by name, with the fix.
 */
final class StartLine {
  static final int PROTOCOL = 1;

  final String topic;
  final String clientId;
  final int acks;
  final boolean transactional;
  /** kafka-clients configs, in the client's own names. */
  final Properties props = new Properties();
  /** The same, as the ready line reports them (serializers left out). */
  final Map<String, Object> settings = new LinkedHashMap<>();
  /** Java config name → the start line's field it came from, to name the field in a ConfigException. */
  private final Map<String, String> fieldOf = new LinkedHashMap<>();

  private static final Set<String> TOP = Set.of("protocol", "topic", "endpoint", "producer");
  private static final Set<String> ENDPOINT = Set.of("clientId", "brokers", "connectionTimeoutMs", "requestTimeoutMs");
  private static final Set<String> PRODUCER = Set.of("acks", "ackTimeoutMs", "idempotent", "retries", "retryBackoff", "requestsInFlight", "callsInFlight",
      "recordsPerCall", "compression", "lingerMs", "batchBytes", "partitioner", "transactionalId", "transactionTimeoutMs", "metadataMaxAgeMs");
  private static final Set<String> BACKOFF = Set.of("initialMs", "maxMs", "multiplier", "jitter");
  private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  StartLine(JsonNode root) throws BadInput {
    object(root, "the start line");
    known(root, TOP, "");
    JsonNode protocol = root.get("protocol");
    if (protocol == null || !protocol.isInt() || protocol.intValue() != PROTOCOL) {
      throw BadInput.config("protocol", "must be " + PROTOCOL + " (got " + protocol + ")", "start the driver with the protocol version of harness/clients/protocol.ts");
    }
    topic = string(root, "topic", "", true);
    JsonNode endpoint = root.get("endpoint");
    object(endpoint, "endpoint");
    known(endpoint, ENDPOINT, "endpoint.");
    clientId = string(endpoint, "clientId", "endpoint.", true);
    JsonNode brokers = endpoint.get("brokers");
    if (brokers == null || !brokers.isArray() || brokers.isEmpty()) throw BadInput.config("endpoint.brokers", "must be a non-empty array of host:port strings", "give the cluster's client proxies");
    List<String> seeds = new ArrayList<>();
    for (JsonNode b : brokers) {
      if (!b.isTextual() || !b.textValue().matches("[^:\\s]+:\\d+")) throw BadInput.config("endpoint.brokers", "each must be a host:port string (got " + b + ")", "give the cluster's client proxies");
      seeds.add(b.textValue());
    }
    put("bootstrap.servers", String.join(",", seeds), "endpoint.brokers");
    put("client.id", clientId, "endpoint.clientId");
    Integer connectTimeout = integer(endpoint, "connectionTimeoutMs", "endpoint.", 1);
    if (connectTimeout != null) {
      put("socket.connection.setup.timeout.ms", connectTimeout, "endpoint.connectionTimeoutMs");
      put("socket.connection.setup.timeout.max.ms", connectTimeout, "endpoint.connectionTimeoutMs");
    }
    Integer requestTimeout = integer(endpoint, "requestTimeoutMs", "endpoint.", 1);

    JsonNode p = root.get("producer");
    object(p, "producer");
    known(p, PRODUCER, "producer.");
    JsonNode acksNode = p.get("acks");
    if (acksNode == null) acks = -1;
    else if (acksNode.isTextual() && acksNode.textValue().equals("all")) acks = -1;
    else if (acksNode.isInt() && (acksNode.intValue() == -1 || acksNode.intValue() == 0 || acksNode.intValue() == 1)) acks = acksNode.intValue();
    else throw BadInput.config("producer.acks", "must be -1, 0 or 1 (got " + acksNode + ")", "use -1 (all in-sync replicas), 1 (the leader) or 0 (no answer)");
    if (acksNode != null) put("acks", acks == -1 ? "all" : Integer.toString(acks), "producer.acks");
    // Java sends request.timeout.ms as the produce request's timeout and also waits that long for
    // the answer: one setting for both. ackTimeoutMs wins where both are given.
    Integer ackTimeout = integer(p, "ackTimeoutMs", "producer.", 1);
    if (ackTimeout != null) put("request.timeout.ms", ackTimeout, "producer.ackTimeoutMs");
    else if (requestTimeout != null) put("request.timeout.ms", requestTimeout, "endpoint.requestTimeoutMs");
    Boolean idempotent = bool(p, "idempotent", "producer.");
    if (idempotent != null) put("enable.idempotence", idempotent, "producer.idempotent");
    Integer retries = integer(p, "retries", "producer.", 0);
    if (retries != null) put("retries", retries, "producer.retries");
    JsonNode backoff = p.get("retryBackoff");
    if (backoff != null) {
      object(backoff, "producer.retryBackoff");
      known(backoff, BACKOFF, "producer.retryBackoff.");
      Integer initial = integer(backoff, "initialMs", "producer.retryBackoff.", 0);
      if (initial != null) put("retry.backoff.ms", initial, "producer.retryBackoff.initialMs");
      Integer max = integer(backoff, "maxMs", "producer.retryBackoff.", 0);
      if (max != null) put("retry.backoff.max.ms", max, "producer.retryBackoff.maxMs");
      Double multiplier = number(backoff, "multiplier", "producer.retryBackoff.");
      if (multiplier != null && multiplier != 2.0) {
        throw BadInput.config("producer.retryBackoff.multiplier", "the Java client's back-off always doubles (got " + multiplier + ")", "leave it out, or set it to 2");
      }
      Double jitter = number(backoff, "jitter", "producer.retryBackoff.");
      if (jitter != null && jitter != 0.2) {
        throw BadInput.config("producer.retryBackoff.jitter", "the Java client's back-off jitter is always 0.2 (got " + jitter + ")", "leave it out, or set it to 0.2");
      }
    }
    Integer inFlight = integer(p, "requestsInFlight", "producer.", 1);
    if (inFlight != null) put("max.in.flight.requests.per.connection", inFlight, "producer.requestsInFlight");
    integer(p, "callsInFlight", "producer.", 1); // the parent's business
    integer(p, "recordsPerCall", "producer.", 1); // the parent's business
    String compression = string(p, "compression", "producer.", false);
    if (compression != null) {
      if (!COMPRESSIONS.contains(compression)) throw BadInput.config("producer.compression", "must be one of " + COMPRESSIONS + " (got \"" + compression + "\")", "pick one of them");
      put("compression.type", compression, "producer.compression");
    }
    Integer linger = integer(p, "lingerMs", "producer.", 0);
    if (linger != null) put("linger.ms", linger, "producer.lingerMs");
    Integer batch = integer(p, "batchBytes", "producer.", 0);
    if (batch != null) put("batch.size", batch, "producer.batchBytes");
    String partitioner = string(p, "partitioner", "producer.", false);
    if (partitioner != null && !partitioner.equals("default") && !partitioner.equals("murmur2")) {
      throw BadInput.config("producer.partitioner", "must be \"default\" or \"murmur2\" (got \"" + partitioner + "\")", "pick one of them");
    }
    // Both are the built-in partitioner: murmur2 of the key bytes for keyed records (Java's rule).
    if (partitioner != null) settings.put("partitioner", "built-in (murmur2 of the key for keyed records)");
    String txnId = string(p, "transactionalId", "producer.", false);
    if (txnId != null) {
      if (txnId.isBlank()) throw BadInput.config("producer.transactionalId", "must not be empty", "give a transactional id, or leave it out");
      put("transactional.id", txnId, "producer.transactionalId");
    }
    transactional = txnId != null;
    Integer txnTimeout = integer(p, "transactionTimeoutMs", "producer.", 1);
    if (txnTimeout != null) put("transaction.timeout.ms", txnTimeout, "producer.transactionTimeoutMs");
    Integer maxAge = integer(p, "metadataMaxAgeMs", "producer.", 0);
    if (maxAge != null) put("metadata.max.age.ms", maxAge, "producer.metadataMaxAgeMs");

    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try {
      // Runs the client's own checks (idempotence against acks, retries, in-flight requests).
      new ProducerConfig(props);
    } catch (ConfigException e) {
      throw BadInput.config(fieldIn(e.getMessage()), "kafka-clients refuses it: " + e.getMessage(), "change that field as the message says");
    }
  }

  private void put(String key, Object value, String field) {
    props.put(key, value.toString());
    settings.put(key, value);
    fieldOf.put(key, field);
  }

  /** The start line's field behind the longest Java config name a ConfigException mentions. */
  private String fieldIn(String message) {
    String best = null;
    for (String key : fieldOf.keySet()) {
      if (message != null && message.contains(key) && (best == null || key.length() > best.length())) best = key;
    }
    return best == null ? "producer" : fieldOf.get(best);
  }

  private static void object(JsonNode n, String what) throws BadInput {
    if (n == null || !n.isObject()) throw BadInput.config(what.startsWith("the ") ? "" : what, what + " must be a JSON object", "see docs/clients/protocol.md, 'The start line'");
  }

  private static void known(JsonNode n, Set<String> fields, String prefix) throws BadInput {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw BadInput.config(prefix + f, "unknown field", "remove it; the fields are " + new java.util.TreeSet<>(fields));
      }
    }
  }

  private static String string(JsonNode n, String name, String prefix, boolean required) throws BadInput {
    JsonNode v = n.get(name);
    if (v == null) {
      if (required) throw BadInput.config(prefix + name, "is required", "give it as a string");
      return null;
    }
    if (!v.isTextual() || (required && v.textValue().isEmpty())) throw BadInput.config(prefix + name, "must be a non-empty string (got " + v + ")", "give it as a string");
    return v.textValue();
  }

  private static Integer integer(JsonNode n, String name, String prefix, int min) throws BadInput {
    JsonNode v = n.get(name);
    if (v == null) return null;
    if (!v.isInt() || v.intValue() < min) throw BadInput.config(prefix + name, "must be an integer of at least " + min + " (got " + v + ")", "give a whole number");
    return v.intValue();
  }

  private static Double number(JsonNode n, String name, String prefix) throws BadInput {
    JsonNode v = n.get(name);
    if (v == null) return null;
    if (!v.isNumber()) throw BadInput.config(prefix + name, "must be a number (got " + v + ")", "give a number");
    return v.doubleValue();
  }

  private static Boolean bool(JsonNode n, String name, String prefix) throws BadInput {
    JsonNode v = n.get(name);
    if (v == null) return null;
    if (!v.isBoolean()) throw BadInput.config(prefix + name, "must be true or false (got " + v + ")", "give a boolean");
    return v.booleanValue();
  }
}
