import type { FastifyInstance } from "fastify";
import { formField, type PageRenderer, queryParam } from "../pages.js";
import { endSession, isApiToken, safeNext, startSession } from "../session.js";
import type { WebOptions } from "../web-options.js";

/** `/login` and `/logout`: the API token, typed once, becomes a signed session cookie. */
export function loginPages(app: FastifyInstance, options: WebOptions, pages: PageRenderer): void {
  app.get("/login", async (request, reply) => {
    const next = safeNext(queryParam(request.query, "next", 2_000));
    return pages.send(request, reply, "login.njk", { nav: "login", next, open: !options.apiToken });
  });

  app.post("/login", async (request, reply) => {
    const next = safeNext(formField(request.body, "next", 2_000));
    if (!options.apiToken) return reply.redirect(next, 303);
    const token = formField(request.body, "token", 1_000);
    if (token === undefined || !isApiToken(token, options.apiToken)) {
      request.log.info("web login with a wrong token");
      return pages.send(request, reply, "login.njk", { nav: "login", next, error: "That is not the API token." }, 401);
    }
    startSession(reply);
    return reply.redirect(next, 303);
  });

  app.post("/logout", async (_request, reply) => {
    endSession(reply);
    return reply.redirect("/", 303);
  });
}
