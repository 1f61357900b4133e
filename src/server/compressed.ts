import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Compression of the answers the server keeps as JSON text (a county's dashboard, a province's
 * figures). The same settings as every other answer (`app.ts`: Brotli at quality 5, else gzip at
 * level 6, from 1 KB), but each text is compressed once and its bytes kept beside it, so a repeated
 * dashboard costs a map lookup instead of about a millisecond and a half of Brotli per request.
 */
export const COMPRESS_FROM_BYTES = 1024;
export const BROTLI_QUALITY = 5;
export const GZIP_LEVEL = 6;

/** Compressed texts kept: the most recently used, at most this many (tens of kB each). */
const KEPT = 64;
const kept = new Map<string, { br?: Buffer; gzip?: Buffer }>();
const negotiator = new Negotiator<'br' | 'gzip'>({ supportedValues: ['br', 'gzip'] });

/** The encoding to answer in for the request's Accept-Encoding, if any. */
export function acceptedEncoding(req: FastifyRequest): 'br' | 'gzip' | null {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string' || header === '' || req.headers['x-no-compression'] !== undefined) return null;
  return negotiator.negotiate(header.toLowerCase());
}

/** Sends JSON text, compressed from the kept bytes when the client accepts it and the text is long enough. */
export function sendJsonText(req: FastifyRequest, reply: FastifyReply, text: string): FastifyReply {
  reply.type('application/json; charset=utf-8');
  const encoding = text.length >= COMPRESS_FROM_BYTES ? acceptedEncoding(req) : null;
  if (!encoding) return reply.send(text);
  let entry = kept.get(text);
  if (entry) kept.delete(text);
  else entry = {};
  kept.set(text, entry);
  if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  const body = entry[encoding] ??= encoding === 'br'
    ? brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })
    : gzipSync(text, { level: GZIP_LEVEL });
  return reply.header('content-encoding', encoding).header('vary', 'accept-encoding').send(body);
}

/** The compressed bytes kept for a text, if any (what a repeated answer sends). */
export function keptCompressed(text: string, encoding: 'br' | 'gzip'): Buffer | undefined {
  return kept.get(text)?.[encoding];
}
