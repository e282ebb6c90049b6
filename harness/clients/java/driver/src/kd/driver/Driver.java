package kd.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Java driver: kafka-clients' KafkaProducer behind the JSON-lines protocol of
 * docs/clients/protocol.md.
 *
 * Threads: main reads stdin (and handles `abandon` and the end of stdin itself, at once); the
 * worker runs the other commands in order; kafka-clients' I/O thread runs the completions. Every
 * record gets exactly one `result`, from its own completion (RecordMetadata: the partition and the
 * offset the client computed for this very record), from `abandon`, or from the close; a completion
 * that comes after that is a `late` line.
 */
public final class Driver {
  private final StartLine start;
  private volatile KafkaProducer<byte[], byte[]> producer;
  private final Thread worker;
  private final LinkedBlockingQueue<Work> work = new LinkedBlockingQueue<>();

  /** A command for the worker; a send's call and records as registered when it was read. */
  private record Work(JsonNode cmd, Call call, List<Pending> records) {}
  /** Guarded by `this`. */
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<Integer, Call> calls = new LinkedHashMap<>();
  private boolean finished;
  private volatile boolean closing;
  private long[] lastIdentity;

  private static final class Call {
    final int call;
    final boolean transactional;
    int open;
    boolean settled;
    boolean abandoned;
    /** Transactional calls: results held until the commit decides. */
    final List<ObjectNode> held = new ArrayList<>();
    final CountDownLatch answered;

    Call(int call, int records, boolean transactional) {
      this.call = call;
      this.open = records;
      this.transactional = transactional;
      this.answered = new CountDownLatch(records);
    }
  }

  private static final class Pending {
    final Call call;
    final String id;
    /** A result line was written for it (by its completion, abandon or close). */
    boolean settled;
    /** Its completion ran. */
    boolean answered;

    Pending(Call call, String id) {
      this.call = call;
      this.id = id;
    }
  }

  private Driver(StartLine start) {
    this.start = start;
    this.worker = new Thread(this::workLoop, "driver-worker");
    this.worker.setDaemon(true);
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("--error-table")) {
      Out.emit(Classify.table());
      return;
    }
    LogBridge.install();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String text = args.length > 0 ? args[0] : in.readLine();
    if (text == null) {
      Out.error("protocol", null, "stdin ended before the start line", "write the start line (docs/clients/protocol.md) first");
      System.exit(2);
    }
    StartLine start;
    try {
      JsonNode root;
      try {
        root = Out.JSON.readTree(text);
      } catch (IOException e) {
        throw BadInput.config("", "the start line is not JSON: " + e.getMessage(), "write the start line as one JSON object");
      }
      start = new StartLine(root);
    } catch (BadInput e) {
      Out.error(e.kind, e.field, e.getMessage(), e.fix);
      System.exit(2);
      return;
    }
    Driver d = new Driver(start);
    ObjectNode ready = Out.line("ready");
    ready.put("protocol", StartLine.PROTOCOL);
    ready.put("driver", "java");
    ready.put("client", "org.apache.kafka:kafka-clients");
    ready.put("version", org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    ObjectNode settings = ready.putObject("settings");
    start.settings.forEach((k, v) -> {
      if (v instanceof Integer i) settings.put(k, i);
      else if (v instanceof Boolean b) settings.put(k, b);
      else settings.put(k, v.toString());
    });
    Out.emit(ready);
    d.worker.start();
    d.readLoop(in);
  }

  // ─── stdin ──────────────────────────────────────────────────────────────────────────────────

  private void readLoop(BufferedReader in) throws IOException {
    String text;
    while ((text = in.readLine()) != null) {
      if (text.isBlank()) continue;
      try {
        JsonNode cmd;
        try {
          cmd = Out.JSON.readTree(text);
        } catch (IOException e) {
          throw BadInput.protocol("a command is not JSON: " + e.getMessage());
        }
        String op = cmd.path("op").asText("");
        checkCommand(cmd, op);
        if (op.equals("abandon")) abandon();
        else if (op.equals("send")) work.add(register(cmd));
        else work.add(new Work(cmd, null, List.of()));
      } catch (BadInput e) {
        Out.error(e.kind, e.field, e.getMessage(), e.fix);
        halt(2);
      }
    }
    // The parent closed our stdin (or died): settle what is open, say so, exit. Exiting closes
    // the client's connections; what it had not sent is lost with the process.
    closing = true;
    finish("stdin-closed");
  }

  private static final Map<String, Set<String>> COMMAND_FIELDS = Map.of(
      "connect", Set.of("op", "timeoutMs"),
      "init-transactions", Set.of("op", "timeoutMs"),
      "send", Set.of("op", "call", "records", "commit"),
      "identity", Set.of("op"),
      "abandon", Set.of("op"),
      "close", Set.of("op", "timeoutMs"));
  private static final Set<String> RECORD_FIELDS = Set.of("id", "key", "keyBase64", "value", "headers", "partition");

  private void checkCommand(JsonNode cmd, String op) throws BadInput {
    if (!cmd.isObject()) throw BadInput.protocol("a command must be a JSON object");
    Set<String> fields = COMMAND_FIELDS.get(op);
    if (fields == null) throw BadInput.protocol("unknown op " + cmd.get("op") + "; ops: " + COMMAND_FIELDS.keySet());
    for (Iterator<String> it = cmd.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) throw BadInput.protocol(op + ": unknown field '" + f + "'");
    }
    if (cmd.has("timeoutMs") && (!cmd.get("timeoutMs").isInt() || cmd.get("timeoutMs").intValue() < 0)) throw BadInput.protocol(op + ": timeoutMs must be a non-negative integer");
    if (!op.equals("send")) return;
    if (!cmd.path("call").isInt()) throw BadInput.protocol("send: call must be an integer");
    if (cmd.has("commit") && !cmd.get("commit").isBoolean()) throw BadInput.protocol("send: commit must be a boolean");
    JsonNode records = cmd.get("records");
    if (records == null || !records.isArray() || records.isEmpty()) throw BadInput.protocol("send: records must be a non-empty array");
    synchronized (this) {
      if (calls.containsKey(cmd.get("call").intValue())) throw BadInput.protocol("send: call " + cmd.get("call") + " is already open");
    }
    Set<String> ids = new java.util.HashSet<>();
    for (JsonNode r : records) {
      if (!r.isObject()) throw BadInput.protocol("send: each record must be an object");
      for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!RECORD_FIELDS.contains(f)) throw BadInput.protocol("send: unknown record field '" + f + "'");
      }
      if (!r.path("id").isTextual() || r.get("id").textValue().isEmpty()) throw BadInput.protocol("send: a record's id must be a non-empty string");
      String id = r.get("id").textValue();
      synchronized (this) {
        if (!ids.add(id) || pending.containsKey(id)) throw BadInput.protocol("send: record id '" + id + "' is already in flight");
      }
      if (!r.has("key") || !(r.get("key").isTextual() || r.get("key").isNull())) throw BadInput.protocol("send: record '" + id + "': key must be a string or null");
      if (r.has("keyBase64") && (!r.get("keyBase64").isTextual() || !r.get("key").isNull())) throw BadInput.protocol("send: record '" + id + "': keyBase64 must be a string, with key null");
      if (!r.path("value").isTextual()) throw BadInput.protocol("send: record '" + id + "': value must be a string");
      if (r.has("partition") && (!r.get("partition").isInt() || r.get("partition").intValue() < 0)) throw BadInput.protocol("send: record '" + id + "': partition must be a non-negative integer");
      if (r.has("headers")) {
        if (!r.get("headers").isObject()) throw BadInput.protocol("send: record '" + id + "': headers must be an object of strings");
        for (JsonNode h : r.get("headers")) if (!h.isTextual()) throw BadInput.protocol("send: record '" + id + "': headers must be an object of strings");
      }
    }
  }

  // ─── the worker ─────────────────────────────────────────────────────────────────────────────

  private void workLoop() {
    try {
      for (;;) {
        Work w = work.take();
        JsonNode cmd = w.cmd();
        switch (cmd.get("op").textValue()) {
          case "connect" -> connect(cmd.path("timeoutMs").asInt(30_000));
          case "init-transactions" -> initTransactions(cmd.path("timeoutMs").asInt(60_000));
          case "send" -> send(w);
          case "identity" -> emitIdentity(true);
          case "close" -> {
            closing = true;
            KafkaProducer<byte[], byte[]> p = producer;
            if (p != null) p.close(Duration.ofMillis(cmd.path("timeoutMs").asInt(5_000)));
            finish("close");
          }
          default -> throw new IllegalStateException("unreachable op " + cmd.get("op"));
        }
      }
    } catch (Throwable t) {
      Out.error("internal", null, "the Java driver failed: " + t, "a bug in harness/clients/java/driver: see its stderr");
      halt(1);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) producer = new KafkaProducer<>(start.props);
    return producer;
  }

  /** Builds the producer and fetches the topic's metadata, within timeoutMs. */
  private void connect(int timeoutMs) {
    ObjectNode reply = Out.line("reply");
    reply.put("op", "connect");
    try {
      KafkaProducer<byte[], byte[]> p = producer();
      List<PartitionInfo> parts = CompletableFuture.supplyAsync(() -> p.partitionsFor(start.topic)).get(timeoutMs, TimeUnit.MILLISECONDS);
      reply.put("ok", true);
      reply.put("at", Out.now());
      Out.emit(reply);
      ObjectNode ev = Out.line("event");
      ev.put("event", "connect");
      ev.put("at", Out.now());
      ev.putObject("detail").put("partitions", parts.size()).put("source", "driver");
      Out.emit(ev);
      emitIdentity(false);
    } catch (java.util.concurrent.TimeoutException e) {
      reply.put("ok", false);
      reply.put("at", Out.now());
      ObjectNode err = reply.putObject("error");
      err.put("class", "not-connected");
      err.put("name", "TimeoutException");
      err.put("message", "no metadata for topic " + start.topic + " within " + timeoutMs + " ms");
      err.put("retriable", true);
      Out.emit(reply);
    } catch (ExecutionException | KafkaException | InterruptedException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      reply.put("ok", false);
      reply.put("at", Out.now());
      ObjectNode err = Classify.of(cause instanceof Exception ex ? ex : new KafkaException(cause), false).error();
      err.put("class", "not-connected");
      reply.set("error", err);
      Out.emit(reply);
    }
  }

  private void initTransactions(int timeoutMs) {
    ObjectNode reply = Out.line("reply");
    reply.put("op", "init-transactions");
    try {
      producer().initTransactions();
      reply.put("ok", true);
    } catch (KafkaException e) {
      reply.put("ok", false);
      reply.set("error", Classify.of(e, false).error());
    }
    reply.put("at", Out.now());
    Out.emit(reply);
    emitIdentity(false);
  }

  /** A send command's call and records, registered as it is read: from then on each gets exactly one result. */
  private synchronized Work register(JsonNode cmd) {
    int callNo = cmd.get("call").intValue();
    Call call = new Call(callNo, cmd.get("records").size(), start.transactional);
    calls.put(callNo, call);
    List<Pending> recs = new ArrayList<>();
    for (JsonNode r : cmd.get("records")) {
      Pending p = new Pending(call, r.get("id").textValue());
      pending.put(p.id, p);
      recs.add(p);
    }
    return new Work(cmd, call, recs);
  }

  private void send(Work w) throws InterruptedException {
    JsonNode cmd = w.cmd();
    JsonNode records = cmd.get("records");
    Call call = w.call();
    List<Pending> mine = w.records();
    synchronized (this) {
      if (finished) return; // closing: never handed to the client
    }
    KafkaProducer<byte[], byte[]> p = producer;
    if (p == null) {
      for (Pending rec : mine) refuse(rec, "not-connected", "IllegalStateException", "the producer is not connected: send connect first");
      return;
    }
    if (call.transactional) {
      try {
        p.beginTransaction();
      } catch (KafkaException | IllegalStateException e) {
        for (Pending rec : mine) complete(rec, null, e, true);
        decideTransaction(call, p, cmd.path("commit").asBoolean(true));
        return;
      }
    }
    int i = 0;
    for (JsonNode r : records) {
      // Abandoned records of this call are sent all the same: the application made the call before
      // it gave up waiting; the client's answers come as `late` lines.
      Pending rec = mine.get(i++);
      ProducerRecord<byte[], byte[]> record = toRecord(r);
      final boolean[] inSend = {true};
      try {
        p.send(record, (meta, e) -> complete(rec, meta, e, inSend[0] && Thread.currentThread() == worker));
      } catch (KafkaException | IllegalStateException e) {
        // Thrown before the record reached the client's buffer (a closed producer, an
        // interrupted wait): unless its completion already ran, it was never sent.
        complete(rec, null, e, true);
      } finally {
        inSend[0] = false;
      }
    }
    if (call.transactional) decideTransaction(call, p, cmd.path("commit").asBoolean(true));
  }

  private ProducerRecord<byte[], byte[]> toRecord(JsonNode r) {
    byte[] key = r.hasNonNull("keyBase64") ? Base64.getDecoder().decode(r.get("keyBase64").textValue())
        : r.get("key").isNull() ? null : r.get("key").textValue().getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    if (r.has("headers")) r.get("headers").properties().forEach(h -> headers.add(h.getKey(), h.getValue().textValue().getBytes(StandardCharsets.UTF_8)));
    Integer partition = r.has("partition") ? r.get("partition").intValue() : null;
    return new ProducerRecord<>(start.topic, partition, null, key, r.get("value").textValue().getBytes(StandardCharsets.UTF_8), headers);
  }

  /**
   * A transactional call, every record answered: commit if all are acknowledged (and `commit`),
   * else abort. Records are `ok` only once committed; a call left open (commit false) reports them
   * `ok` as acknowledged, uncommitted.
   */
  private void decideTransaction(Call call, KafkaProducer<byte[], byte[]> p, boolean commit) throws InterruptedException {
    call.answered.await();
    List<ObjectNode> held;
    synchronized (this) {
      if (call.abandoned) return;
      held = new ArrayList<>(call.held);
    }
    boolean allOk = held.stream().allMatch(h -> h.path("outcome").asText().equals("ok"));
    if (allOk && !commit) {
      release(call, held);
      return;
    }
    ObjectNode commitError = null;
    if (allOk) {
      try {
        p.commitTransaction();
        release(call, held);
        return;
      } catch (KafkaException e) {
        commitError = Classify.of(e, false).error();
      }
    }
    boolean aborted;
    try {
      p.abortTransaction();
      aborted = true;
    } catch (KafkaException e) {
      aborted = false;
    }
    List<ObjectNode> decided = new ArrayList<>();
    for (ObjectNode h : held) {
      if (!h.path("outcome").asText().equals("ok") && commitError == null) {
        decided.add(h);
        continue;
      }
      // Acknowledged, but its transaction was not committed: aborted (invisible at
      // read_committed) if the abort went through, else nobody knows.
      h.put("outcome", aborted ? "failed" : "unknown");
      h.putNull("offset");
      h.put("reason", commitError != null ? "commit-failed" : "aborted");
      if (commitError != null) h.set("error", commitError);
      decided.add(h);
    }
    release(call, decided);
  }

  private synchronized void release(Call call, List<ObjectNode> results) {
    for (ObjectNode r : results) {
      Pending rec = pending.get(r.get("id").textValue());
      if (rec != null && rec.settled) r.put("type", "late");
      else if (rec != null) settle(rec);
      Out.emit(r);
      if (rec != null && rec.answered) pending.remove(rec.id);
    }
    afterSettle(call);
  }

  // ─── completions ────────────────────────────────────────────────────────────────────────────

  private void refuse(Pending rec, String cls, String name, String message) {
    ObjectNode r = resultLine(rec, "failed");
    r.putNull("partition");
    r.put("reason", "error");
    ObjectNode err = r.putObject("error");
    err.put("class", cls);
    err.put("name", name);
    err.put("message", message);
    err.put("retriable", false);
    deliver(rec, r);
  }

  /** A record's completion: its outcome from the client's own answer. */
  private void complete(Pending rec, RecordMetadata meta, Exception e, boolean refusedInSend) {
    ObjectNode r;
    if (e == null) {
      if (start.acks == 0 || !meta.hasOffset()) {
        r = resultLine(rec, "unknown");
        r.put("partition", meta.partition());
        r.putNull("offset");
        r.put("reason", "acks=0");
      } else {
        r = resultLine(rec, "ok");
        r.put("partition", meta.partition());
        r.put("offset", meta.offset());
      }
    } else {
      Classify.Verdict v = Classify.of(e, refusedInSend);
      r = resultLine(rec, v.outcome());
      if (meta != null && meta.partition() >= 0) r.put("partition", meta.partition());
      else r.putNull("partition");
      r.putNull("offset");
      r.put("reason", closing && !(e instanceof ApiException) ? "closed" : "error");
      r.set("error", v.error());
    }
    deliver(rec, r);
  }

  private ObjectNode resultLine(Pending rec, String outcome) {
    ObjectNode r = Out.line("result");
    r.put("call", rec.call.call);
    r.put("id", rec.id);
    r.put("outcome", outcome);
    r.put("at", Out.now());
    return r;
  }

  private synchronized void deliver(Pending rec, ObjectNode r) {
    // Key order as the protocol shows it: partition and offset before reason and error.
    if (rec.answered) return; // a send() that threw after its completion ran
    ObjectNode line = Out.line(rec.settled ? "late" : "result");
    for (String f : List.of("call", "id", "outcome", "partition", "offset", "at", "reason", "error")) if (r.has(f)) line.set(f, r.get(f));
    rec.answered = true;
    if (rec.settled) {
      Out.emit(line);
      pending.remove(rec.id);
      return;
    }
    if (rec.call.transactional) {
      rec.call.held.add(line);
      rec.call.answered.countDown();
      return;
    }
    settle(rec);
    Out.emit(line);
    pending.remove(rec.id);
    afterSettle(rec.call);
  }

  private void settle(Pending rec) {
    rec.settled = true;
    rec.call.open--;
  }

  private void afterSettle(Call call) {
    if (call.open > 0 || call.settled) return;
    call.settled = true;
    calls.remove(call.call);
    ObjectNode s = Out.line("settled");
    s.put("call", call.call);
    s.put("at", Out.now());
    Out.emit(s);
    emitIdentity(false);
  }

  /** Every open record becomes `unknown` (abandoned) now; the client keeps them, and its answers come later as `late`. */
  private synchronized void abandon() {
    int n = settleOpen("abandoned");
    ObjectNode reply = Out.line("reply");
    reply.put("op", "abandon");
    reply.put("ok", true);
    reply.put("at", Out.now());
    reply.put("abandoned", n);
    Out.emit(reply);
  }

  private int settleOpen(String reason) {
    int n = 0;
    List<ObjectNode> heldAnswers = new ArrayList<>();
    for (Call call : new ArrayList<>(calls.values())) {
      if (call.transactional && !call.abandoned) {
        // Its transaction is left undecided: what the client answered so far comes as `late`.
        call.abandoned = true;
        heldAnswers.addAll(call.held);
        while (call.answered.getCount() > 0) call.answered.countDown();
      }
    }
    for (Pending rec : pending.values()) {
      if (rec.settled) continue;
      ObjectNode r = resultLine(rec, "unknown");
      r.putNull("partition");
      r.putNull("offset");
      r.put("reason", reason);
      settle(rec);
      Out.emit(r);
      n++;
    }
    for (ObjectNode h : heldAnswers) {
      h.put("type", "late");
      Out.emit(h);
    }
    pending.values().removeIf(rec -> rec.answered);
    for (Call call : new ArrayList<>(calls.values())) afterSettle(call);
    return n;
  }

  private synchronized void finish(String reason) {
    if (finished) return;
    finished = true;
    int n = settleOpen("closed");
    ObjectNode closed = Out.line("closed");
    closed.put("at", Out.now());
    closed.put("reason", reason);
    closed.put("unsettled", n);
    Out.emit(closed);
    halt(0);
  }

  private static void halt(int code) {
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  // ─── identity ───────────────────────────────────────────────────────────────────────────────

  /**
   * The producer id and epoch. kafka-clients has no public API for them: they are read from the
   * producer's TransactionManager (private field, package-private method) by reflection; null
   * when the producer has none (not idempotent) or the read fails.
   */
  private long[] identity() {
    KafkaProducer<byte[], byte[]> p = producer;
    if (p == null) return null;
    try {
      Field f = KafkaProducer.class.getDeclaredField("transactionManager");
      f.setAccessible(true);
      Object tm = f.get(p);
      if (tm == null) return null;
      Method m = tm.getClass().getDeclaredMethod("producerIdAndEpoch");
      m.setAccessible(true);
      Object pe = m.invoke(tm);
      long id = pe.getClass().getField("producerId").getLong(pe);
      short epoch = pe.getClass().getField("epoch").getShort(pe);
      return id < 0 ? null : new long[] {id, epoch};
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private synchronized void emitIdentity(boolean always) {
    long[] now = identity();
    boolean changed = now == null ? lastIdentity != null : lastIdentity == null || now[0] != lastIdentity[0] || now[1] != lastIdentity[1];
    if (!always && !changed) return;
    lastIdentity = now;
    ObjectNode line = Out.line("identity");
    if (now == null) {
      line.putNull("producerId");
      line.putNull("epoch");
    } else {
      line.put("producerId", now[0]);
      line.put("epoch", now[1]);
    }
    line.put("at", Out.now());
    Out.emit(line);
  }
}
