import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request log lines, quieter (issue 19 item 10): no "incoming request" line, and
 * one "request completed" line per request (method, URL through the logger's request
 * serializer, status, time) at `level` — debug unless `log.requests: info` — so a terminal's
 * info log shows events, not traffic. Errors are still logged at error level.
 */
export class RequestLog extends LogController {
  readonly #level: 'debug' | 'info';

  constructor(level: 'debug' | 'info') {
    super();
    this.#level = level;
  }

  override incomingRequest(): void {
    // One line per request: the completion line says everything the incoming one did.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime), err: error }, 'request errored');
      return;
    }
    reply.log[this.#level]({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
  }
}
