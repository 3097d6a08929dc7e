// go-multierror's rendering of a list of errors, the text Nomad's messages
// carry when several things are wrong at once.

/** "2 errors occurred:\n\t* a\n\t* b\n\n", as go-multierror's Error() prints it. */
export function multiError(errors: readonly string[]): string {
  const n = errors.length;
  const list = errors.map((e) => `\t* ${e}`).join("\n");
  return `${n} error${n === 1 ? "" : "s"} occurred:\n${list}\n\n`;
}
