/** Weft's error taxonomy: the kinds, the base class, and the one classifier. */
export { ERROR_KINDS, isRetryableKind, type ErrorKind } from './kinds';
export { WeftError } from './weft-error';
export { causeChain } from './chain';
export { GRPC_STATUS, grpcStatusOf, classifyTemporalError, classifyTemporalCause, type GrpcStatusName, type TemporalErrorClass } from './grpc';
export { classifyError, isTemporalUnavailable, type ErrorClass } from './classify';
