/**
 * supertest whose every request asks for English (`Accept-Language: en`), as a script that wants
 * English messages would: for tests that assert the API's English wording. A request may still set
 * another language itself. The API's default (no header) is Chinese: test/integration/error-language.test.ts.
 */
import supertest from 'supertest';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

function request(app: Parameters<typeof supertest>[0]): ReturnType<typeof supertest> {
  const client = supertest(app);
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof prop !== 'string' || !METHODS.has(prop)) return value;
      return (url: string) => (value as (url: string) => supertest.Test).call(target, url).set('Accept-Language', 'en');
    },
  });
}

// the types tests name as request.Response / request.Test, as with supertest's own default export
declare namespace request {
  export type Response = supertest.Response;
  export type Test = supertest.Test;
}

export default request;
