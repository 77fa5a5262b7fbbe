import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { openApiOperation, type Route } from './routes/route.js';

const TAGS = [
  { name: 'root', description: 'Hello world' },
  { name: 'users', description: 'Sign up and manage accounts' },
  { name: 'auth', description: 'OAuth2 password flow: get and refresh bearer tokens' },
  { name: 'todos', description: "The signed-in user's tasks" },
  { name: 'health', description: 'Liveness and readiness probes' },
];

/** The OpenAPI 3.1 document, generated from the same route list and zod schemas that serve requests. */
export function buildOpenApiDocument(routes: readonly Route[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/refresh_token', scopes: {} } },
  });
  for (const definition of routes) {
    if (!definition.hidden) registry.registerPath(openApiOperation(definition));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fast Zero',
      version,
      description: 'The to-do API of the course "FastAPI do Zero", on Koa, Objection, knex and PostgreSQL.',
    },
    tags: TAGS,
  });
}
