import { Module, type InjectionToken, type Provider, type Type } from '@nestjs/common';
import { GUARDS_METADATA, PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { HealthController } from '@bank/common';
import { ORCHESTRATOR_CONTROLLERS } from '../orchestrator.module.js';
import { createOpenApiDocument } from './openapi.js';

const CONTROLLERS: Type[] = [...ORCHESTRATOR_CONTROLLERS, HealthController];

/** The classes Nest resolves for these controllers: the controllers and their guards. */
function resolved(controllers: Type[]): Type[] {
  const guards = controllers.flatMap((controller) => [
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) as Type[] | undefined) ?? []),
    ...Object.getOwnPropertyNames(controller.prototype).flatMap(
      (method) =>
        (Reflect.getMetadata(GUARDS_METADATA, (controller.prototype as Record<string, object>)[method]) as Type[] | undefined) ?? [],
    ),
  ]);
  return [...controllers, ...new Set(guards)];
}

/**
 * Preview mode instantiates nothing but still checks that every dependency resolves: a stand-in per
 * constructor parameter (its @Inject token, else its type) is enough.
 */
function standIns(classes: Type[]): Provider[] {
  const tokens = new Set<InjectionToken>();
  for (const cls of classes) {
    const types = (Reflect.getMetadata(PARAMTYPES_METADATA, cls) as InjectionToken[] | undefined) ?? [];
    const declared =
      (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, cls) as { index: number; param: InjectionToken }[] | undefined) ?? [];
    types.forEach((type, index) => tokens.add(declared.find((d) => d.index === index)?.param ?? type));
  }
  return [...tokens].map((token) => ({ provide: token, useValue: {} }));
}

@Module({ controllers: CONTROLLERS, providers: standIns(resolved(CONTROLLERS)) })
class PublicEdgeDocsModule {}

/**
 * The document GET /docs-json serves, made without a running system: the same controllers in
 * Nest's preview mode (nothing instantiated, no database, broker or certificates). For
 * `npm run docs` (docs/openapi.json and the typed client) and the lint test; an e2e test holds the
 * served document equal to it.
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(PublicEdgeDocsModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The document as docs/openapi.json holds it. */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
