package io.dhamana.examples.web;

import io.dhamana.Rejection;

/**
 * An answer other than success, with its HTTP status, a stable code for the page and a sentence for people:
 * malformed input (400), a request from elsewhere (403), something that does not exist (404), a body too large
 * (413), or a refusal (409), either by the store at commit (carrying the {@link Rejection}'s code and message) or
 * because a run is already going.
 */
final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    private ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** Malformed or out-of-range input; nothing was attempted. */
    static ApiError badRequest(String message) {
        return new ApiError(400, "BAD_REQUEST", message);
    }

    /** The request came from somewhere this server does not answer. */
    static ApiError forbidden(String message) {
        return new ApiError(403, "FORBIDDEN", message);
    }

    /** The body is larger than any valid request. */
    static ApiError tooLarge(String message) {
        return new ApiError(413, "TOO_LARGE", message);
    }

    /** The thing named does not exist (or is not the caller's). */
    static ApiError notFound(String message) {
        return new ApiError(404, "NOT_FOUND", message);
    }

    /** The store refused the call at commit; it changed nothing. */
    static ApiError refused(Rejection rejection) {
        return new ApiError(409, rejection.code(), rejection.message());
    }

    /** A run stopped part-way through for a reason other than bad input; what it wrote stays audited. */
    static ApiError runFailed(String message) {
        return new ApiError(500, "RUN_FAILED", message);
    }

    /** Another run holds the one slot this action needs. */
    static ApiError busy(String message) {
        return new ApiError(409, "BUSY", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
