// Every failure a peer can be told about has a stable code: the wire carries the
// code, people read the message, programs branch on the code.

export const ErrorCode = {
  UnsupportedVersion: "CHAT_ERR_UNSUPPORTED_VERSION",
  FrameTooLarge: "CHAT_ERR_FRAME_TOO_LARGE",
  UnknownFrame: "CHAT_ERR_UNKNOWN_FRAME",
  Malformed: "CHAT_ERR_MALFORMED",
  InvalidUtf8: "CHAT_ERR_INVALID_UTF8",
  LineTooLong: "CHAT_ERR_LINE_TOO_LONG",
  MessageTooLarge: "CHAT_ERR_MESSAGE_TOO_LARGE",
  EmptyMessage: "CHAT_ERR_EMPTY_MESSAGE",
  ControlCharacters: "CHAT_ERR_CONTROL_CHARACTERS",
  UnknownCommand: "CHAT_ERR_UNKNOWN_COMMAND",
  NeedsNativeClient: "CHAT_ERR_NEEDS_NATIVE_CLIENT",
  FileTooLarge: "CHAT_ERR_FILE_TOO_LARGE",
  NoSpace: "CHAT_ERR_NO_SPACE",
  NoSuchFile: "CHAT_ERR_NO_SUCH_FILE",
  BadTransfer: "CHAT_ERR_BAD_TRANSFER",
  ChecksumMismatch: "CHAT_ERR_CHECKSUM_MISMATCH",
  FileUnreadable: "CHAT_ERR_FILE_UNREADABLE",
  BadNick: "CHAT_ERR_BAD_NICK",
  NickTaken: "CHAT_ERR_NICK_TAKEN",
  NoSuchNick: "CHAT_ERR_NO_SUCH_NICK",
  NotJoined: "CHAT_ERR_NOT_JOINED",
  BadRoom: "CHAT_ERR_BAD_ROOM",
  NoSuchRoom: "CHAT_ERR_NO_SUCH_ROOM",
  NotInRoom: "CHAT_ERR_NOT_IN_ROOM",
  /** The line could not be stored (the disk is full, say): it was not posted. */
  NotStored: "CHAT_ERR_NOT_STORED",
  TooManyErrors: "CHAT_ERR_TOO_MANY_ERRORS",
  SlowConsumer: "CHAT_ERR_SLOW_CONSUMER",
  PingTimeout: "CHAT_ERR_PING_TIMEOUT",
  InputTimeout: "CHAT_ERR_INPUT_TIMEOUT",
  Shutdown: "CHAT_ERR_SHUTDOWN",
  /** A plaintext peer on a port that speaks TLS only. */
  TlsRequired: "CHAT_ERR_TLS_REQUIRED",
  Quit: "CHAT_ERR_QUIT",
  Internal: "CHAT_ERR_INTERNAL",
  ConnectFailed: "CHAT_ERR_CONNECT_FAILED",
  ConnectionLost: "CHAT_ERR_CONNECTION_LOST",
  NotSockchat: "CHAT_ERR_NOT_SOCKCHAT",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code: ErrorCode;
  /** A fatal error leaves the byte stream unusable: the connection must close. */
  readonly fatal: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fatal?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fatal = options.fatal ?? false;
  }
}

/** An error the other side reported, with its code as sent (it may be newer than ours). */
export class RemoteError extends Error {
  override readonly name = "RemoteError";
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
