/** `page` / `page_size` paging with `X-Total-Count` and RFC 8288 `Link` headers. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse } from './errors.js';
import { PageQuery } from './schemas.js';

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
  limit: number;
}

export function pageOf(req: FastifyRequest): PageRequest {
  const q = req.query as Record<string, unknown>;
  const { page, page_size } = parse(PageQuery, { page: q.page, page_size: q.page_size }, 'query');
  return { page, pageSize: page_size, offset: (page - 1) * page_size, limit: page_size };
}

export function setPageHeaders(req: FastifyRequest, reply: FastifyReply, p: PageRequest, total: number): void {
  reply.header('x-total-count', String(total));
  const url = new URL(req.url, 'http://placeholder');
  const link = (page: number, rel: string): string => {
    url.searchParams.set('page', String(page));
    url.searchParams.set('page_size', String(p.pageSize));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const last = Math.max(1, Math.ceil(total / p.pageSize));
  const links: string[] = [];
  if (p.page < last) links.push(link(p.page + 1, 'next'));
  if (p.page > 1) links.push(link(Math.min(p.page - 1, last), 'prev'));
  links.push(link(1, 'first'), link(last, 'last'));
  reply.header('link', links.join(', '));
}
