package kd.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kafka-clients' log (slf4j → slf4j-jdk14 → java.util.logging) goes to stderr, one line a record,
 * and a few of its lines become timeline events: kafka-clients has no listener API for retries or
 * disconnects, its log is the only place it says them. The patterns are kafka-clients 4.4.0's
 * messages (Sender, NetworkClient); a message that changes only loses its event, never a result.
 * KD_DRIVER_LOG=debug (or trace) makes the log louder.
 */
final class LogBridge extends Handler {
  private static final PrintStream ERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

  private record Rule(String event, Pattern pattern, String[] names) {}

  private static final List<Rule> RULES = List.of(
      new Rule("retry", Pattern.compile("Got error produce response (?:with|in) correlation id (\\d+) on topic-partition (\\S+), (?:splitting and )?retrying \\((\\d+) attempts left\\)\\. Error: (\\S+)"),
          new String[] {"correlationId", "partition", "attemptsLeft", "error"}),
      new Rule("leader-change", Pattern.compile("Received invalid metadata error in produce request on partition (\\S+) due to (\\S+?)\\.? Going to request metadata update"),
          new String[] {"partition", "error"}),
      new Rule("disconnect", Pattern.compile("Node (-?\\d+) disconnected\\."), new String[] {"node"}),
      new Rule("connect-failed", Pattern.compile("Connection to node (-?\\d+) \\((.*?)\\) could not be established"), new String[] {"node", "address"}),
      new Rule("request-timeout", Pattern.compile("Disconnecting from node (-?\\d+) due to request timeout"), new String[] {"node"}),
      new Rule("attempt-error", Pattern.compile("Cancelled in-flight (\\w+) request with correlation id (\\d+) due to node (-?\\d+) being disconnected"),
          new String[] {"api", "correlationId", "node"}));

  static void install() {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    String wanted = System.getenv().getOrDefault("KD_DRIVER_LOG", "info").toLowerCase();
    Level level = switch (wanted) {
      case "trace" -> Level.FINEST;
      case "debug" -> Level.FINE;
      case "warn" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
    root.setLevel(level);
    LogBridge h = new LogBridge();
    h.setLevel(Level.ALL);
    root.addHandler(h);
  }

  @Override
  public void publish(LogRecord r) {
    String msg = r.getMessage();
    ERR.println(Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel() + " " + r.getLoggerName() + ": " + msg
        + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
    if (msg == null) return;
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(msg);
      if (m.find()) {
        ObjectNode line = Out.line("event");
        line.put("event", rule.event());
        line.put("at", Out.now());
        ObjectNode detail = line.putObject("detail");
        for (int i = 0; i < rule.names().length; i++) {
          String v = m.group(i + 1);
          if (v != null && v.matches("-?\\d+") && !rule.names()[i].equals("partition")) detail.put(rule.names()[i], Long.parseLong(v));
          else detail.put(rule.names()[i], v);
        }
        detail.put("source", "log");
        Out.emit(line);
        return;
      }
    }
  }

  @Override
  public void flush() {
    ERR.flush();
  }

  @Override
  public void close() {}
}
