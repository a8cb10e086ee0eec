/** Coded errors: the code is for logs and clients, the message for people (Chinese). */
export const ErrorCodes = {
  INVALID_REQUEST: 'INVALID_REQUEST',
  TEXT_TOO_LONG: 'TEXT_TOO_LONG',
  NOT_FOUND: 'NOT_FOUND',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AppError extends Error {
  constructor(readonly code: ErrorCode, readonly statusCode: number, readonly userMessage: string, logMessage?: string) {
    super(logMessage ?? userMessage);
  }
}
