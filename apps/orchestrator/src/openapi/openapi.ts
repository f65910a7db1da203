import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI at GET /docs (UI) and GET /docs-json, generated from the controllers and DTOs. */
export function mountOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Bank API')
    .setDescription(
      'Public REST edge of the banking system. Money is an integer count of minor units; errors are RFC 9457 problem details with a stable `code`. ' +
        'Every request may carry X-Correlation-Id; it is echoed and travels with every command and event.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
