// Engine errors arrive as { code, message }; the UI branches on `code`, never on message text.
import type { ApiError, Code } from "../types";

export class IpcError extends Error {
  readonly code: Code;
  readonly command: string;
  constructor(command: string, err: ApiError) {
    super(err.message);
    this.name = "IpcError";
    this.code = err.code;
    this.command = command;
  }
}

export function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as ApiError).code === "string" &&
    typeof (v as ApiError).message === "string"
  );
}

/** Turn anything thrown by invoke into an IpcError with a code. */
export function toIpcError(command: string, e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (isApiError(e)) return new IpcError(command, e);
  return new IpcError(command, { code: "internal", message: String(e) });
}

export type Severity = "error" | "warning" | "info";

/** How loudly each code is shown: network trouble is expected and recoverable, storage is not. */
export const SEVERITY: Record<Code, Severity> = {
  network: "warning",
  feed_format: "warning",
  model_missing: "info",
  precondition: "warning",
  storage: "error",
  internal: "error",
};

export function errorText(e: unknown): string {
  if (e instanceof IpcError) return e.message;
  if (isApiError(e)) return e.message;
  return String(e);
}
