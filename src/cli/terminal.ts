// Drawing on an interactive terminal around a readline prompt: lines appear
// above what is being typed, which stays intact, cursor and all.

import { clearScreenDown, cursorTo, type Interface, moveCursor } from "node:readline";
import stringWidth from "string-width";

/**
 * Prints above the prompt and redraws the prompt below with the text being typed
 * and the cursor where they were, however many rows the typed text wraps over.
 */
export function printAbovePrompt(rl: Interface, line: string): void {
  // rl.prompt(true) redraws from as many rows above the cursor as readline last
  // put it below the prompt's first row (`prevRows`, not always up to date after
  // a paste): newlines put the cursor that far below where the prompt is to go.
  const redrawUp = (rl as Interface & { prevRows?: number }).prevRows ?? rl.getCursorPos().rows;
  erasePrompt(rl);
  process.stdout.write(`${line}\n${"\n".repeat(redrawUp)}`);
  rl.prompt(true);
}

/**
 * Longer than any message a server takes by default (4096 bytes): pasting 4096
 * characters into the middle of a line redraws about 8 MB, 20 000 would be 200 MB.
 */
const CAREFUL_LINE_CHARS = 4096;

/**
 * Makes every character typed go in at the cursor. Node's readline (20, at
 * least) takes all but the last character of a read holding several (a
 * paste, or keys typed faster than they are read) for a paste at the end of
 * the line, and appends them there, wherever the cursor is: abc, Ctrl-A,
 * Ctrl-U, XY read as "aYbcX" on a screen that showed something else again. The
 * flag it clears for that, isCompletionEnabled, is there to keep a pasted tab
 * from completing, and this prompt completes nothing: it reads as set whenever
 * the cursor is not at the end. At the end, appending is right, and quick; the
 * careful way redraws the whole line for every character, so a paste into the
 * middle of a line longer than CAREFUL_LINE_CHARS goes the quick way again.
 */
export function insertAtCursor(rl: Interface): void {
  let pasting = false;
  Object.defineProperty(rl, "isCompletionEnabled", {
    get: () => !pasting || (rl.cursor < rl.line.length && rl.line.length < CAREFUL_LINE_CHARS),
    set: (enabled: boolean) => {
      pasting = !enabled;
    },
  });
}

/** Clears the prompt and the text being typed, leaving the cursor where the prompt began. */
export function erasePrompt(rl: Interface): void {
  moveCursor(process.stdout, 0, -rl.getCursorPos().rows);
  cursorTo(process.stdout, 0);
  clearScreenDown(process.stdout);
}

/** Removes the line just entered; it is shown again as `<You> …` once the server confirms it. */
export function eraseTypedLine(rl: Interface, line: string): void {
  // Readline has moved the cursor below the entered text: one row more than
  // the rows the text wrapped onto.
  const rows = displayRows(rl.getPrompt() + line, process.stdout.columns || Infinity) + 1;
  moveCursor(process.stdout, 0, -rows);
  cursorTo(process.stdout, 0);
  clearScreenDown(process.stdout);
}

/** Replaces the prompt text, keeping what is being typed. */
export function setPrompt(rl: Interface, prompt: string): void {
  if (prompt === rl.getPrompt()) return;
  erasePrompt(rl);
  rl.setPrompt(prompt);
  rl.prompt(true);
}

/**
 * The rows `text` wraps onto below its first one, on a terminal `columns` wide,
 * counted as readline counts them (tabs to the next multiple of 8, wide
 * characters pushed to the next row rather than split).
 */
function displayRows(text: string, columns: number): number {
  let offset = 0;
  let rows = 0;
  for (const char of text) {
    if (char === "\n") {
      rows += Math.ceil(offset / columns) || 1;
      offset = 0;
    } else if (char === "\t") offset += 8 - (offset % 8);
    else {
      const width = stringWidth(char);
      if (width === 2 && (offset + 1) % columns === 0) offset += 1;
      offset += width;
    }
  }
  return rows + Math.floor(offset / columns);
}
