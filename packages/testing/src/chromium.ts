import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, never a downloaded browser; ALMANAC_TEST_CHROMIUM points elsewhere. */
export const chromiumPath = process.env.ALMANAC_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Headless Chromium for browser tests and screenshots. As root it needs `--no-sandbox`; the
 * network flags stop it from calling home on a machine whose network is closed (each refused
 * connection otherwise costs time at every start).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
