// Errors a handler throws to answer as Nomad answers: the status code and a
// plain-text message ("job not found", "Permission denied").

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const permissionDenied = () => new HttpError(403, "Permission denied");
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const badRequest = (message: string) => new HttpError(400, message);

/** Several errors in one message, as Go's go-multierror prints them (Nomad's validation). */
export function multiError(errors: readonly string[]): string {
  const items = errors.map((e) => `\t* ${e.replaceAll("\n", "\n\t")}`).join("\n");
  return `${errors.length} error${errors.length === 1 ? "" : "s"} occurred:\n${items}\n\n`;
}
