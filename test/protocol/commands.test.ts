import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HELP_TEXT,
  HISTORY_PAGE,
  MAX_HISTORY_PAGE,
  parseInput,
} from "../../src/protocol/commands.js";

describe("parseInput", () => {
  describe("plain text", () => {
    it("says a plain line as typed", () => {
      assert.deepEqual(parseInput("hello world"), { type: "say", text: "hello world" });
    });

    it("keeps leading and trailing spaces and inner tabs of a plain line", () => {
      assert.deepEqual(parseInput("  spaced\tout  "), { type: "say", text: "  spaced\tout  " });
    });

    it("says a line that only starts with a slash after a space", () => {
      assert.deepEqual(parseInput(" /who"), { type: "say", text: " /who" });
    });

    it("says text with a slash that is not at the start", () => {
      assert.deepEqual(parseInput("and/or"), { type: "say", text: "and/or" });
    });

    it("says non-ASCII text unchanged", () => {
      assert.deepEqual(parseInput("héllo 👋 שלום"), { type: "say", text: "héllo 👋 שלום" });
    });
  });

  describe("escaped slash", () => {
    it("says //text as /text", () => {
      assert.deepEqual(parseInput("//shrug"), { type: "say", text: "/shrug" });
    });

    it("says //who as /who instead of running it", () => {
      assert.deepEqual(parseInput("//who"), { type: "say", text: "/who" });
    });

    it("removes only the first slash", () => {
      assert.deepEqual(parseInput("///x"), { type: "say", text: "//x" });
      assert.deepEqual(parseInput("//"), { type: "say", text: "/" });
    });
  });

  describe("blank lines", () => {
    for (const line of ["", " ", "   ", "\t", " \t \r", "\n"]) {
      it(`reads ${JSON.stringify(line)} as empty`, () => {
        assert.deepEqual(parseInput(line), { type: "empty" });
      });
    }
  });

  describe("/me", () => {
    it("makes an action", () => {
      assert.deepEqual(parseInput("/me waves"), { type: "action", text: "waves" });
    });

    it("keeps the whole rest of the line", () => {
      assert.deepEqual(parseInput("/me waves at  everyone "), {
        type: "action",
        text: "waves at  everyone ",
      });
    });

    it("without an action is invalid usage", () => {
      for (const line of ["/me", "/me ", "/me   ", "/me \t"]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: /me <action>" },
          JSON.stringify(line),
        );
      }
    });
  });

  describe("/msg", () => {
    it("makes a private message", () => {
      assert.deepEqual(parseInput("/msg bob hi there"), {
        type: "private",
        to: "bob",
        text: "hi there",
      });
    });

    it("allows extra space between the nick and the text", () => {
      assert.deepEqual(parseInput("/msg   bob    hi"), { type: "private", to: "bob", text: "hi" });
    });

    it("keeps the nick as typed (the server matches it without regard to case)", () => {
      assert.deepEqual(parseInput("/msg BoB hi"), { type: "private", to: "BoB", text: "hi" });
    });

    it("without a nick is invalid usage", () => {
      assert.deepEqual(parseInput("/msg"), {
        type: "invalid",
        message: "usage: /msg <nick> <text>",
      });
      assert.deepEqual(parseInput("/msg   "), {
        type: "invalid",
        message: "usage: /msg <nick> <text>",
      });
    });

    it("without text is invalid usage", () => {
      assert.deepEqual(parseInput("/msg bob"), {
        type: "invalid",
        message: "usage: /msg <nick> <text>",
      });
      assert.deepEqual(parseInput("/msg bob "), {
        type: "invalid",
        message: "usage: /msg <nick> <text>",
      });
    });

    it("with only whitespace after the nick is invalid usage, like /me", () => {
      // "/me   " is usage; "/msg bob   " must not become a private message of " ".
      for (const line of ["/msg bob  ", "/msg bob   ", "/msg bob \t"]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: /msg <nick> <text>" },
          JSON.stringify(line),
        );
      }
    });
  });

  describe("/nick", () => {
    it("asks for a new nickname", () => {
      assert.deepEqual(parseInput("/nick zoe"), { type: "nick", nick: "zoe" });
    });

    it("trims spaces around the nickname", () => {
      assert.deepEqual(parseInput("/nick   zoe  "), { type: "nick", nick: "zoe" });
    });

    it("passes an invalid nickname on for the server to refuse", () => {
      assert.deepEqual(parseInput("/nick two words"), { type: "nick", nick: "two words" });
    });

    it("without a name is invalid usage", () => {
      assert.deepEqual(parseInput("/nick"), { type: "invalid", message: "usage: /nick <name>" });
      assert.deepEqual(parseInput("/nick  "), { type: "invalid", message: "usage: /nick <name>" });
    });
  });

  describe("/who, /help, /quit", () => {
    it("reads /who, for everyone or for a room", () => {
      assert.deepEqual(parseInput("/who"), { type: "who", room: "" });
      assert.deepEqual(parseInput("/who  "), { type: "who", room: "" });
      assert.deepEqual(parseInput("/who #dev"), { type: "who", room: "#dev" });
      assert.deepEqual(parseInput("/who dev"), { type: "who", room: "#dev" });
      assert.equal(parseInput("/who #a #b").type, "invalid");
    });

    it("reads /help", () => {
      assert.deepEqual(parseInput("/help"), { type: "help" });
    });

    it("reads /quit without a reason as an empty reason", () => {
      assert.deepEqual(parseInput("/quit"), { type: "quit", reason: "" });
      assert.deepEqual(parseInput("/quit   "), { type: "quit", reason: "" });
    });

    it("reads /quit with a trimmed reason", () => {
      assert.deepEqual(parseInput("/quit  off to bed  "), { type: "quit", reason: "off to bed" });
    });
  });

  describe("command names", () => {
    it("are matched without regard to case", () => {
      assert.deepEqual(parseInput("/WHO"), { type: "who", room: "" });
      assert.deepEqual(parseInput("/Help"), { type: "help" });
      assert.deepEqual(parseInput("/ME waves"), { type: "action", text: "waves" });
      assert.deepEqual(parseInput("/Msg bob hi"), { type: "private", to: "bob", text: "hi" });
      assert.deepEqual(parseInput("/NiCk zoe"), { type: "nick", nick: "zoe" });
      assert.deepEqual(parseInput("/QUIT bye"), { type: "quit", reason: "bye" });
    });

    it("must be the whole word: /whois and /mex are unknown", () => {
      assert.deepEqual(parseInput("/whois bob"), {
        type: "invalid",
        message: "unknown command /whois; /help lists the commands",
      });
      assert.deepEqual(parseInput("/mex"), {
        type: "invalid",
        message: "unknown command /mex; /help lists the commands",
      });
    });

    it("reports an unknown command by name", () => {
      assert.deepEqual(parseInput("/dance now"), {
        type: "invalid",
        message: "unknown command /dance; /help lists the commands",
      });
    });

    it("reports a lone slash as an unknown command", () => {
      const parsed = parseInput("/");
      assert.equal(parsed.type, "invalid");
    });
  });

  describe("file commands", () => {
    it("reads SEND <path> at the start of a line, the original chat's syntax", () => {
      assert.deepEqual(parseInput("SEND notes.txt"), { type: "send", path: "notes.txt" });
      assert.deepEqual(parseInput("SEND   /tmp/a b.txt  "), { type: "send", path: "/tmp/a b.txt" });
    });

    it("reads /send <path>, in any case", () => {
      assert.deepEqual(parseInput("/send notes.txt"), { type: "send", path: "notes.txt" });
      assert.deepEqual(parseInput("/SEND notes.txt"), { type: "send", path: "notes.txt" });
    });

    it("unquotes a quoted path", () => {
      assert.deepEqual(parseInput('/send "my file.txt"'), { type: "send", path: "my file.txt" });
      assert.deepEqual(parseInput("SEND 'it is.txt'"), { type: "send", path: "it is.txt" });
      assert.deepEqual(parseInput('/send "half.txt'), { type: "send", path: '"half.txt' });
    });

    it("without a path is invalid usage", () => {
      for (const line of ["/send", "/send   ", "SEND", "SEND  ", '/send ""']) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: SEND <path>" },
          JSON.stringify(line),
        );
      }
    });

    it("says a line that only mentions SEND, or starts with send in lower case", () => {
      assert.deepEqual(parseInput("send me the notes"), { type: "say", text: "send me the notes" });
      assert.deepEqual(parseInput("I will SEND it later"), {
        type: "say",
        text: "I will SEND it later",
      });
      assert.deepEqual(parseInput("SENDER unknown"), { type: "say", text: "SENDER unknown" });
    });

    it("reads /files", () => {
      assert.deepEqual(parseInput("/files"), { type: "files" });
    });

    it("reads /get <id> as a download by id", () => {
      assert.deepEqual(parseInput("/get 3"), { type: "get", id: 3, name: "" });
      assert.deepEqual(parseInput("/get  4294967295 "), { type: "get", id: 4294967295, name: "" });
    });

    it("reads /get <name> as a download by name, with id 0", () => {
      assert.deepEqual(parseInput("/get notes.txt"), { type: "get", id: 0, name: "notes.txt" });
      assert.deepEqual(parseInput("/get  notes.txt  "), { type: "get", id: 0, name: "notes.txt" });
    });

    it("unquotes a quoted name, which may hold spaces", () => {
      assert.deepEqual(parseInput('/get "my notes.txt"'), {
        type: "get",
        id: 0,
        name: "my notes.txt",
      });
      assert.deepEqual(parseInput("/get 'it is.txt'"), { type: "get", id: 0, name: "it is.txt" });
    });

    it("reads what is no file id as a name: 0, negative, fractional, too large, two words", () => {
      for (const name of ["0", "-1", "1.5", "4294967296", "3 4", "x"]) {
        assert.deepEqual(parseInput(`/get ${name}`), { type: "get", id: 0, name }, name);
      }
    });

    it("without an id or name is invalid usage", () => {
      for (const line of ["/get", "/get   ", '/get ""', "/get ''"]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: /get <id|name>" },
          JSON.stringify(line),
        );
      }
    });

    it("reads /cancel with or without an id", () => {
      assert.deepEqual(parseInput("/cancel"), { type: "cancel", id: undefined });
      assert.deepEqual(parseInput("/cancel 12"), { type: "cancel", id: 12 });
      assert.deepEqual(parseInput("/cancel x"), {
        type: "invalid",
        message: "usage: /cancel [id]",
      });
    });
  });

  describe("/join", () => {
    it("joins the room named", () => {
      assert.deepEqual(parseInput("/join #dev"), { type: "join", room: "#dev" });
    });

    it("puts the # in front of a name typed without it", () => {
      assert.deepEqual(parseInput("/join dev"), { type: "join", room: "#dev" });
    });

    it("trims spaces around the room", () => {
      assert.deepEqual(parseInput("/join   #dev  "), { type: "join", room: "#dev" });
      assert.deepEqual(parseInput("/JOIN \tdev "), { type: "join", room: "#dev" });
    });

    it("passes a name on as typed for the server to judge", () => {
      assert.deepEqual(parseInput("/join #Dev"), { type: "join", room: "#Dev" });
      assert.deepEqual(parseInput("/join #a,b"), { type: "join", room: "#a,b" });
    });

    it("without a room, or with spaces inside it, is invalid usage", () => {
      for (const line of ["/join", "/join   ", "/join #dev ops", "/join dev ops"]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: /join #room" },
          JSON.stringify(line),
        );
      }
    });
  });

  describe("/part", () => {
    it("alone leaves the room typed into, saying nothing", () => {
      assert.deepEqual(parseInput("/part"), { type: "part", room: "", reason: "" });
      assert.deepEqual(parseInput("/part   "), { type: "part", room: "", reason: "" });
    });

    it("leaves the room named", () => {
      assert.deepEqual(parseInput("/part #dev"), { type: "part", room: "#dev", reason: "" });
      assert.deepEqual(parseInput("/part   #dev  "), { type: "part", room: "#dev", reason: "" });
    });

    it("leaves the room named with the trimmed reason after it", () => {
      assert.deepEqual(parseInput("/part #dev  off to lunch  "), {
        type: "part",
        room: "#dev",
        reason: "off to lunch",
      });
    });

    it("reads words without a # as the reason for leaving the room typed into", () => {
      assert.deepEqual(parseInput("/part off to lunch"), {
        type: "part",
        room: "",
        reason: "off to lunch",
      });
    });
  });

  describe("/rooms", () => {
    it("reads /rooms in any case", () => {
      assert.deepEqual(parseInput("/rooms"), { type: "rooms" });
      assert.deepEqual(parseInput("/ROOMS  "), { type: "rooms" });
    });
  });

  describe("/topic", () => {
    it("alone asks for the topic of the room typed into", () => {
      const query = { type: "topic", room: "", set: false, text: "" };
      assert.deepEqual(parseInput("/topic"), query);
      assert.deepEqual(parseInput("/topic   "), query);
    });

    it("with text sets the topic of the room typed into to the trimmed text", () => {
      assert.deepEqual(parseInput("/topic   ship it on Friday 🚀  "), {
        type: "topic",
        room: "",
        set: true,
        text: "ship it on Friday 🚀",
      });
    });
  });

  describe("/history", () => {
    const page = (target: string, limit: number) => ({ type: "history", target, before: 0, limit });

    it("alone asks for a page of the room typed into", () => {
      assert.equal(HISTORY_PAGE, 50);
      assert.deepEqual(parseInput("/history"), page("", HISTORY_PAGE));
    });

    it("with a number asks for that many lines", () => {
      assert.deepEqual(parseInput("/history 20"), page("", 20));
      assert.deepEqual(parseInput("/history  20  "), page("", 20));
    });

    it("with a nickname asks for a page of that private conversation", () => {
      assert.deepEqual(parseInput("/history ben"), page("ben", HISTORY_PAGE));
      assert.deepEqual(parseInput("/history  ben   20 "), page("ben", 20));
    });

    it("with a room name asks for a page of that room", () => {
      assert.deepEqual(parseInput("/history #dev 5"), page("#dev", 5));
    });

    it("accepts a page of 1 to 1000 lines", () => {
      assert.equal(MAX_HISTORY_PAGE, 1000);
      assert.deepEqual(parseInput("/history 1"), page("", 1));
      assert.deepEqual(parseInput("/history ben 1000"), page("ben", 1000));
    });

    it("refuses a page of 0 lines or more than 1000", () => {
      for (const line of [
        "/history 0",
        "/history 1001",
        "/history ben 0",
        "/history 99999999999999999999",
      ]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "a history page holds 1 to 1000 lines" },
          line,
        );
      }
    });

    it("refuses anything else as invalid usage", () => {
      for (const line of [
        "/history 1.5",
        "/history 12abc",
        "/history 20 ben",
        "/history ben bob",
        "/history ben 2 3",
      ]) {
        assert.deepEqual(
          parseInput(line),
          { type: "invalid", message: "usage: /history [nick] [N]" },
          line,
        );
      }
    });
  });

  it("HELP_TEXT mentions every command", () => {
    const chat = ["/me", "/msg", "/nick", "/who", "/help", "/quit", "//text"];
    const rooms = ["/join", "/part", "/rooms", "/topic", "/history"];
    const files = ["SEND", "/files", "/get", "/cancel"];
    for (const command of [...chat, ...rooms, ...files]) {
      assert.ok(HELP_TEXT.includes(command), command);
    }
  });
});
