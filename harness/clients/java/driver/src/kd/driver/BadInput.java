package kd.driver;

/** Bad input from the parent: a start line field (kind config) or a command (kind protocol). */
final class BadInput extends Exception {
  private static final long serialVersionUID = 1L;
  final String kind;
  final String field;
  final String fix;

  BadInput(String kind, String field, String message, String fix) {
    super(message);
    this.kind = kind;
    this.field = field;
    this.fix = fix;
  }

  static BadInput config(String field, String message, String fix) {
    return new BadInput("config", field, message, fix);
  }

  static BadInput protocol(String message) {
    return new BadInput("protocol", null, message, "send commands as docs/clients/protocol.md describes them");
  }
}
