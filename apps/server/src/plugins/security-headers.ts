import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/**
 * Security headers on every reply (helmet's defaults: nosniff, frame-ancestors, referrer
 * policy, HSTS…) with a Content-Security-Policy Swagger UI at `/docs` still works under: it
 * loads its scripts, styles and the OpenAPI document from this origin and sets inline styles.
 * Registered on the root instance before the routes so its hook covers all of them.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // Swagger UI sets style attributes from its scripts.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // No upgrade-insecure-requests: the server speaks plain HTTP (TLS is a proxy's job),
        // and upgrading /docs' own assets to https would break the page.
      },
    },
  });
}
