import { FluxgateError } from '../domain/errors.ts';
import type { ApiFamily } from './route-config.ts';

const V2_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  413: 'request too large',
  415: 'unsupported media type',
  422: 'unprocessable entity',
  429: 'too many requests',
  500: 'internal error',
};

/** The error body of each API family; every family also gets the stable code in `X-Fluxgate-Error`. */
export function errorBody(family: ApiFamily, error: FluxgateError): unknown {
  switch (family) {
    case 'v2':
      return { code: V2_CODES[error.status] ?? 'internal error', message: error.message, fluxgate_code: error.code };
    case 'v1':
      return { error: error.message, code: error.code };
    case 'v0': {
      const body: Record<string, unknown> = { code: error.status, message: error.message, fluxgateCode: error.code };
      if (error.details.field !== undefined) body.field = error.details.field;
      if (error.details.reason !== undefined) body.reason = error.details.reason;
      return body;
    }
    case 'plain':
    case 'v3': {
      const body: Record<string, unknown> = { error: error.message, code: error.code };
      if (error.details.field !== undefined) body.field = error.details.field;
      if (error.details.reason !== undefined) body.reason = error.details.reason;
      if (Array.isArray(error.details.data)) body.data = error.details.data;
      return body;
    }
  }
}

/**
 * Translates what Fastify itself throws (validation, parsing, limits) into registry errors;
 * `contentType` is the request's, for naming a content type the endpoint does not take.
 */
export function toFluxgateError(error: unknown, contentType?: string): FluxgateError | undefined {
  if (error instanceof FluxgateError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as {
    code?: string;
    statusCode?: number;
    message?: string;
    validation?: ValidationIssue[];
    validationContext?: string;
  };
  if (Array.isArray(e.validation) && e.validation.length > 0)
    return fromValidation(e.validation[0]!, e.validationContext ?? 'body');
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FluxgateError('BODY_TOO_LARGE', 'the request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FluxgateError(
        'UNSUPPORTED_MEDIA_TYPE',
        `this endpoint does not take a body of content type '${contentType ?? ''}'`,
        { field: 'Content-Type' },
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new FluxgateError('INVALID_JSON', `the request body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FluxgateError('INVALID_JSON', 'the request body is empty but the content type says JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FluxgateError('INVALID_INPUT', 'the Content-Length does not match the body', {
        field: 'Content-Length',
      });
  }
  if (e.statusCode === 400 && error instanceof SyntaxError) {
    return new FluxgateError('INVALID_JSON', `the request body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode === 415) return new FluxgateError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported content type');
  if (e.statusCode === 413)
    return new FluxgateError('BODY_TOO_LARGE', 'the request body is larger than the server accepts');
  return undefined;
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function fromValidation(issue: ValidationIssue, context: string): FluxgateError {
  const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (issue.keyword === 'additionalProperties') {
    const field = [path, String(issue.params.additionalProperty)].filter(Boolean).join('.');
    return new FluxgateError('UNKNOWN_FIELD', `unknown field '${field}' in the request ${context}`, { field });
  }
  if (issue.keyword === 'required') {
    const field = [path, String(issue.params.missingProperty)].filter(Boolean).join('.');
    return new FluxgateError('INVALID_INPUT', `missing field '${field}' in the request ${context}`, { field });
  }
  const field = path || context;
  return new FluxgateError(
    'INVALID_INPUT',
    `${context === 'querystring' ? 'parameter' : 'field'} '${field}' ${issue.message ?? 'is invalid'}`,
    {
      field,
    },
  );
}
