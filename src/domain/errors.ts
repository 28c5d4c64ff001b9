// Typed errors with cornflow's default codes and messages (cornflow-api.md §0.3). Domain code throws these;
// the one error middleware turns them into `{"error": message, ...payload}` (payload keys first, as cornflow).

export type ErrorPayload = Record<string, unknown>;

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra top-level keys of the error body. */
    readonly payload: ErrorPayload = {},
    /** A body that replaces `{"error": …}` entirely (cornflow's Flask-level errors use `message`). */
    readonly body?: ErrorPayload,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

const make = (status: number, fallback: string) =>
  class extends AppError {
    constructor(message: string = fallback, payload: ErrorPayload = {}) {
      super(status, message, payload);
    }
  };

export class InvalidUsage extends make(400, 'Unknown error') {}
export class ObjectDoesNotExist extends make(404, 'The data entity does not exist on the database') {}
export class ObjectAlreadyExists extends make(400, 'The object does exist already') {}
export class NoPermission extends make(403, 'You have no permission to access the required object') {}
export class InvalidCredentials extends make(400, 'Invalid credentials') {}
export class EndpointNotImplemented extends make(501, 'Endpoint not implemented') {}
export class InvalidData extends make(400, 'The data sent is not valid') {}
export class CommunicationError extends make(400, 'The communication failed') {}
export class InvalidPatch extends make(400, 'The json patch sent is not valid') {}
export class ConfigurationError extends make(501, 'No authentication method configured on the server') {}
/** The database is unreachable: a clear 503 instead of a 500. */
export class ServiceUnavailable extends make(503, 'The database is not available, please try again later') {}

/** Messages used by authentication (cornflow-api.md §0.4). */
export const AUTH_MESSAGES = {
  missingHeader: 'Authorization header is missing',
  badHeader: "Invalid Authorization header format. Must be 'Bearer <token>'",
  badToken: 'Invalid token format or signature',
  badTokenOidc: 'Invalid token format, signature, or configuration',
  expired: 'The token has expired, please login again',
  unknownUser: 'User not found. Please ensure you are using valid credentials',
  noPermission: 'You do not have permission to access this endpoint',
  viewMissing: 'The permission for this endpoint is not in the database.',
} as const;
