/**
 * An error as it goes from one render thread to another: as plain data (its message and stack),
 * so that whatever was thrown, the receiving side rebuilds an Error that says where it came from.
 */
export interface ErrorData {
  message: string;
  stack?: string;
}

export function errorData(error: unknown): ErrorData {
  const e = error instanceof Error ? error : new Error(String(error));
  return { message: e.message, stack: e.stack };
}

export function errorFrom(data: ErrorData): Error {
  const error = new Error(data.message);
  if (data.stack) error.stack = data.stack;
  return error;
}
