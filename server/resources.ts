/**
 * The shared resources of a running server as Fastify plugins, the way Fastify's own
 * ecosystem does it (@fastify/postgres, @fastify/redis): each decorates the landing app and
 * closes in its `onClose` hook. `app.close()` then stops everything in one call: Fastify
 * first stops accepting and waits for the requests in flight, then runs the `onClose` hooks
 * in reverse order of registration, so what is registered first closes last (the warehouse).
 * A `preClose` hook runs before the wait, for what would hold requests up (key fetches).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

export interface ResourceOptions<T> {
  /** The decorator's name, e.g. `warehouse` (`app.warehouse`); also the plugin's name. */
  name: string;
  value: T;
  /** Runs in `onClose`, after the requests in flight have finished. */
  close?: (value: T) => Promise<void> | void;
  /** Runs in `preClose`, before Fastify waits for the requests in flight. */
  preClose?: (value: T) => Promise<void> | void;
}

/** @example await app.register(resource({ name: 'warehouse', value: warehouse, close: (w) => w.close() })) */
export function resource<T>(options: ResourceOptions<T>) {
  return fp(
    async (app: FastifyInstance) => {
      app.decorate(options.name, { getter: (): unknown => options.value });
      const { close, preClose } = options;
      if (preClose !== undefined) app.addHook('preClose', async () => void (await preClose(options.value)));
      if (close !== undefined) app.addHook('onClose', async () => void (await close(options.value)));
    },
    { name: `switchboard-${options.name}`, fastify: '5.x' },
  );
}
