/** An HTTP error status, kept so callers can say what a 404 means for them. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body of a URL, or one line naming the URL and what went wrong. */
export async function fetchBytes(url: string, fix: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new Error(`cannot fetch ${url} (${cause}): ${fix}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpStatusError(url, response.status, `${url} answered HTTP ${response.status} ${response.statusText}: ${fix}`);
  }
  return Buffer.from(await response.arrayBuffer());
}
