// Why the server gave a nickname other than the one asked for. It cleans a
// hello's nickname by its rules (nickBase) and takes the next free variant of
// a taken one, and says nothing of either: the client tells the person.

import { nickBase, nickProblem, normalNick } from "../protocol/nicknames.js";
import { inert } from "../protocol/render.js";

/** The notice line for being welcomed as `given` after asking for `asked`; undefined if they match. */
export function nickNotice(asked: string, given: string): string | undefined {
  if (given === asked) return undefined;
  if (given === normalNick(asked)) {
    return `* you are ${inert(given)}: "${inert(asked)}" is that name written another way`;
  }
  const problem = nickProblem(asked);
  if (problem === undefined) return `* you are ${inert(given)}: ${inert(asked)} is taken`;
  const base = nickBase(asked);
  const taken = given === base ? "" : `, and ${inert(base)} is taken`;
  return `* you are ${inert(given)}, not "${inert(asked)}": ${inert(problem)}${taken}`;
}
