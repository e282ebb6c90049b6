package kd.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The protocol's stdout: one JSON object a line, written whole under one lock (the client's I/O
 * thread and the command thread both write). Nothing else reaches stdout: System.out is pointed at
 * stderr, so a stray print cannot break a line. A write that fails means the parent is gone: the
 * driver then exits.
 */
final class Out {
  static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  private static final PrintStream STDOUT = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);

  static {
    System.setOut(System.err);
  }

  private Out() {}

  /** Wall-clock ms since the epoch, with the microseconds Instant.now() has on Linux. */
  static BigDecimal now() {
    Instant t = Instant.now();
    return BigDecimal.valueOf(t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000, 3);
  }

  static ObjectNode line(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", type);
    return n;
  }

  static void emit(ObjectNode node) {
    String text;
    try {
      text = JSON.writeValueAsString(node);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a protocol line", e);
    }
    synchronized (STDOUT) {
      STDOUT.print(text);
      STDOUT.print('\n');
      STDOUT.flush();
      if (STDOUT.checkError()) {
        // The parent closed our stdout: nobody reads what we say any more.
        Runtime.getRuntime().halt(1);
      }
    }
  }

  static void error(String kind, String field, String message, String fix) {
    ObjectNode n = line("error");
    n.put("kind", kind);
    if (field != null) n.put("field", field);
    n.put("message", message);
    if (fix != null) n.put("fix", fix);
    emit(n);
  }
}
