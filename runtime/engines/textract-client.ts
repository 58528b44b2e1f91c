import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { TextractClient } from '@aws-sdk/client-textract';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../config.ts';

// One client per process: its keep-alive sockets are the expensive part, and every handler
// shares them. Sized so that ENGINE_CONCURRENCY calls never queue inside the SDK.

export function createTextractClient(config: Config): TextractClient {
  const agentOptions = { keepAlive: true, maxSockets: config.engineConcurrency, keepAliveMsecs: 10_000 };
  const useDummyCredentials = config.textractEndpoint !== undefined && !hasAwsCredentialSource();
  return new TextractClient({
    region: config.awsRegion,
    endpoint: config.textractEndpoint,
    maxAttempts: 5,
    // The emulator does not verify signatures; real endpoints need real credentials.
    credentials: useDummyCredentials ? { accessKeyId: 'emulator', secretAccessKey: 'emulator' } : undefined,
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 5_000,
      requestTimeout: 60_000,
    }),
  });
}

/**
 * Whether the SDK would find credentials without probing the network. Instance roles (IMDS)
 * are not probed at boot: set OCR_ENGINE=textract on EC2 to use them.
 */
export function hasAwsCredentialSource(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const home = os.homedir();
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials')];
  return files.some((f) => fs.existsSync(f));
}
