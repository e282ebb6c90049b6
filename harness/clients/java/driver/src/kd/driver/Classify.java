package kd.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;

/**
 * A kafka-clients send error → the record's outcome and the protocol's error object. The Kafka
 * error code comes from the client itself (Errors.forException), then the protocol's table
 * (harness/clients/protocol.ts, KAFKA_ERROR_CODES) decides. Beyond the table:
 *
 * - refused inside send(): the callback ran (or send() threw) before send() returned, so the record
 *   never reached the accumulator: `failed`, class not-sent (a metadata wait that ran out,
 *   max.block.ms), record-too-large, or client-refused (a closed producer, a transaction state);
 * - DisconnectException: class connection, `unknown`;
 * - TimeoutException (the client's delivery.timeout.ms expiry and the broker's REQUEST_TIMED_OUT
 *   alike, code 7): class timeout, `unknown` (the client's message says "the request has not been
 *   sent, or no server response has been received yet": it cannot tell which);
 * - anything else: retriable or fatal by the client's RetriableException, `unknown`.
 */
final class Classify {
  record Entry(String type, String cls, String outcome) {}

  static final Map<Integer, Entry> TABLE = new LinkedHashMap<>();

  static {
    t(2, "CORRUPT_MESSAGE", "fatal", "failed");
    t(3, "UNKNOWN_TOPIC_OR_PARTITION", "not-leader", "failed");
    t(5, "LEADER_NOT_AVAILABLE", "not-leader", "failed");
    t(6, "NOT_LEADER_OR_FOLLOWER", "not-leader", "failed");
    t(7, "REQUEST_TIMED_OUT", "timeout", "unknown");
    t(10, "MESSAGE_TOO_LARGE", "record-too-large", "failed");
    t(13, "NETWORK_EXCEPTION", "connection", "unknown");
    t(17, "INVALID_TOPIC_EXCEPTION", "fatal", "failed");
    t(18, "RECORD_LIST_TOO_LARGE", "record-too-large", "failed");
    t(19, "NOT_ENOUGH_REPLICAS", "not-enough-replicas", "failed");
    t(20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "not-enough-replicas-after-append", "unknown");
    t(21, "INVALID_REQUIRED_ACKS", "fatal", "failed");
    t(29, "TOPIC_AUTHORIZATION_FAILED", "authorization", "failed");
    t(31, "CLUSTER_AUTHORIZATION_FAILED", "authorization", "failed");
    t(32, "INVALID_TIMESTAMP", "fatal", "failed");
    t(35, "UNSUPPORTED_VERSION", "fatal", "failed");
    t(43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", "fatal", "failed");
    t(44, "POLICY_VIOLATION", "fatal", "failed");
    t(45, "OUT_OF_ORDER_SEQUENCE_NUMBER", "out-of-order-sequence", "failed");
    t(46, "DUPLICATE_SEQUENCE_NUMBER", "duplicate-sequence", "unknown");
    t(47, "INVALID_PRODUCER_EPOCH", "fenced", "failed");
    t(48, "INVALID_TXN_STATE", "producer-state", "failed");
    t(49, "INVALID_PRODUCER_ID_MAPPING", "producer-state", "failed");
    t(53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "authorization", "failed");
    t(59, "UNKNOWN_PRODUCER_ID", "producer-state", "failed");
    t(74, "FENCED_LEADER_EPOCH", "not-leader", "failed");
    t(75, "UNKNOWN_LEADER_EPOCH", "not-leader", "failed");
    t(76, "UNSUPPORTED_COMPRESSION_TYPE", "fatal", "failed");
    t(87, "INVALID_RECORD", "fatal", "failed");
    t(90, "PRODUCER_FENCED", "fenced", "failed");
  }

  private static void t(int code, String type, String cls, String outcome) {
    TABLE.put(code, new Entry(type, cls, outcome));
  }

  private Classify() {}

  /** The table as `--error-table` prints it. */
  static ObjectNode table() {
    ObjectNode n = Out.JSON.createObjectNode();
    TABLE.forEach((code, e) -> {
      ObjectNode row = n.putObject(Integer.toString(code));
      row.put("type", e.type());
      row.put("class", e.cls());
      row.put("outcome", e.outcome());
    });
    return n;
  }

  record Verdict(String outcome, ObjectNode error) {}

  /** An error a record's completion carried; `refusedInSend`: before send() returned. */
  static Verdict of(Exception e, boolean refusedInSend) {
    Throwable api = e;
    // A KafkaException may only wrap the ApiException that decided (transactions, close).
    if (!(api instanceof ApiException) && api.getCause() instanceof ApiException) api = api.getCause();
    Errors kafka = api instanceof ApiException ? Errors.forException(api) : Errors.UNKNOWN_SERVER_ERROR;
    Integer code = kafka == Errors.UNKNOWN_SERVER_ERROR || kafka == Errors.NONE ? null : (int) kafka.code();
    boolean retriable = api instanceof RetriableException;
    String cls;
    String outcome;
    if (refusedInSend) {
      outcome = "failed";
      cls = api instanceof TimeoutException ? "not-sent" : api instanceof RecordTooLargeException ? "record-too-large" : "client-refused";
    } else if (code != null && TABLE.containsKey(code)) {
      cls = TABLE.get(code).cls();
      outcome = TABLE.get(code).outcome();
    } else if (api instanceof DisconnectException) {
      cls = "connection";
      outcome = "unknown";
    } else {
      cls = retriable ? "retriable" : (api instanceof KafkaException ? "fatal" : "unclassified");
      outcome = "unknown";
    }
    ObjectNode err = Out.JSON.createObjectNode();
    err.put("class", cls);
    err.put("name", e.getClass().getSimpleName());
    err.put("message", String.valueOf(e.getMessage()));
    err.put("retriable", retriable);
    if (code != null) {
      err.put("code", code);
      err.put("type", kafka.name());
    }
    if (api != e) {
      ObjectNode cause = err.putObject("cause");
      cause.put("name", api.getClass().getSimpleName());
      cause.put("message", String.valueOf(api.getMessage()));
    } else if (e.getCause() != null) {
      ObjectNode cause = err.putObject("cause");
      cause.put("name", e.getCause().getClass().getSimpleName());
      cause.put("message", String.valueOf(e.getCause().getMessage()));
    }
    return new Verdict(outcome, err);
  }
}
