import { InputError } from '@draingate/core';
import { ApiError } from './errors.js';

/** Maps what a handler or express's body parser threw to an answer; never leaks a stack. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InputError) {
    return new ApiError(400, 'invalid-input', error.message.slice(error.path.length + 2), {
      field: error.path.replace(/^request\./, ''),
    });
  }
  // The router decodes path parameters and throws URIError (status 400) on a malformed escape such as /v1/checks/%E0.
  if (error instanceof URIError) {
    return new ApiError(400, 'invalid-input', 'the path is not valid percent-encoding', { field: '(path)' });
  }
  const parser = error as { type?: unknown; status?: unknown };
  if (typeof parser.type === 'string' && typeof parser.status === 'number') {
    switch (parser.type) {
      case 'entity.too.large':
        return new ApiError(413, 'payload-too-large', 'the body is larger than the provider accepts');
      case 'entity.parse.failed':
        return new ApiError(400, 'invalid-input', 'the body is not valid JSON', { field: '(body)' });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new ApiError(
          415,
          'unsupported-media-type',
          'send the body as UTF-8 JSON without a content encoding',
        );
      default:
        return new ApiError(
          parser.status >= 400 && parser.status < 500 ? parser.status : 400,
          'invalid-input',
          'the body could not be read',
        );
    }
  }
  return new ApiError(500, 'internal', 'internal error: nothing was judged (the provider logged the cause)');
}
