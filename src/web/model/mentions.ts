// Whether a line mentions someone: their nickname as a word of it, without
// regard to case ("alice:", "@Alice", "hi alice!", not "malice").

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

export function mentions(text: string, nick: string): boolean {
  if (nick === "") return false;
  const haystack = text.toLowerCase();
  const needle = nick.toLowerCase();
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    const startsWord = before === undefined || !WORD_CHARACTER.test(before);
    const endsWord = after === undefined || !WORD_CHARACTER.test(after);
    if (startsWord && endsWord) return true;
  }
  return false;
}
