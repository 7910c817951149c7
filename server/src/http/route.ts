import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Actor } from '../audit/chain.ts';
import type { Principal, Role, Scope } from '../auth/roles.ts';
import type { Config } from '../config.ts';
import type { HeadSigner } from '../audit/signing.ts';
import type { LoadRunner } from '../loads/runner.ts';
import type pg from 'pg';
import type { ChangeFeed } from '../db/change-feed.ts';
import type { PreparedPool } from '../db/prepared.ts';
import type { Replicas } from '../db/replicas.ts';

/**
 * How far a role reaches on a route: `any` department, only its `own` department
 * (the department that owns the target, resolved by the route), or only `self`
 * (targets that belong to the calling principal).
 */
export type Reach = 'any' | 'own' | 'self';
export type Access = 'public' | 'authenticated' | Partial<Record<Role, Reach>>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Whom a target belongs to; resolved before authorisation so scoping lives in one place. */
export interface Owner {
  departmentId: number | null;
  /**
   * Further departments the target belongs to as well: a share request or a grant is both its
   * consumer's and its provider's. `own` reach is met by any of them.
   */
  alsoDepartmentIds?: number[];
  principalId?: number | null;
  /** What the resolver loaded to answer, handed to the handler as `ctx.target` so it is not fetched twice. */
  target?: unknown;
}

export interface Services {
  knex: Knex;
  config: Config;
  log: Logger;
  signer: HeadSigner;
  loads: LoadRunner;
  /** Connections for streamed reads (downloads), apart from knex's pool so a cut-off stream can be destroyed. */
  streams: pg.Pool;
  /** Drops the read-through caches (catalogue rows, grants) when their tables change, in any process. */
  changes: ChangeFeed;
  /** Hot statements (row lookups, token checks) as prepared statements. */
  prepared: PreparedPool;
  /** Where open and shared data reads run: a healthy read replica, else the primary (db/replicas.ts). */
  replicas: Replicas;
}

/** The result of authorisation for list routes: null means every department. */
export interface Scoping {
  departments: number[] | null;
  principalId: number | null;
}

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
  actor: Actor;
  requestId: string;
  scoping: Scoping;
  /** The owner resolver's `target`, when the gate ran it (narrow reach); handlers fall back to loading it. */
  target: unknown;
  services: Services;
  req: Request;
  res: Response;
}

export interface RouteResult<T = unknown> {
  status?: number;
  body?: T;
}

/** A success response the handler writes itself (a file, CSV, Turtle, metrics) in these media types, instead of returning JSON. */
export interface WrittenResponse {
  mediaTypes: readonly string[];
}

export const written = (...mediaTypes: string[]): WrittenResponse => ({ mediaTypes });

/** What a handler may return as its body: the output type of the route's response schema (a compile-time check, nothing runs). */
export type ResponseBody<RS> = RS extends z.ZodType ? z.output<RS> : never;

export interface RouteSpec<
  PS extends z.ZodType = z.ZodType,
  QS extends z.ZodType = z.ZodType,
  BS extends z.ZodType = z.ZodType,
  RS extends z.ZodType | WrittenResponse = z.ZodType | WrittenResponse,
> {
  method: Method;
  path: string;
  /** The operation's stable name in the OpenAPI and the clients generated from it: camelCase, unique. */
  operationId: string;
  summary: string;
  tags: string[];
  access: Access;
  /** The token scope needed; defaults to `read` for GET and `write` otherwise. */
  scope?: Scope;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Required when a role reaches `own` or `self` on a route that names a target. */
  owner?: (input: { params: z.infer<PS>; query: z.infer<QS>; body: z.infer<BS> }, knex: Knex, caller: Principal) => Promise<Owner | undefined>;
  /** The handler reads the request body itself as a stream (uploads): no JSON parsing. */
  rawBody?: true;
  /** Set on routes whose handler narrows what it shows with `ctx.scoping` (lists, reads of shared entries) instead of resolving one owner. */
  scoped?: true;
  /** The success response: a zod schema of the JSON body (in the area's `schema.ts`), or the media types a handler writes itself. */
  response: RS;
  /** Further media types the handler writes itself on request (a `format` parameter), beside the JSON of `response`. */
  alsoWrites?: readonly string[];
  /** Status and meaning of the success response, for the API reference. */
  responds?: { status: number; description: string };
  handler: (ctx: HandlerContext<z.infer<PS>, z.infer<QS>, z.infer<BS>>) => Promise<RouteResult<NoInfer<ResponseBody<RS>>> | void>;
}

/** Typed identity helper: the compiler infers params/query/body types from the schemas, and checks the handler's body against the response schema. */
export function route<
  PS extends z.ZodType = z.ZodUnknown,
  QS extends z.ZodType = z.ZodUnknown,
  BS extends z.ZodType = z.ZodUnknown,
  RS extends z.ZodType | WrittenResponse = z.ZodUnknown,
>(spec: RouteSpec<PS, QS, BS, RS>): RouteSpec {
  return spec as unknown as RouteSpec;
}
