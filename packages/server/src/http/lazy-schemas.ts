import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;

/**
 * Fastify's own compilers (ajv for input, fast-json-stringify for responses), run on a route's first
 * request instead of at `listen`: compiling every route's schemas up front was over a second of a start's
 * CPU, before the server could answer anything. A route compiles once, then runs its compiled function.
 */
export function lazySchemaCompilers(): Required<Factories> {
  const validators = AjvCompiler();
  const serializers = SerializerSelector();
  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    const compile = validators(externalSchemas, options);
    return (route) => {
      type Validate = ReturnType<typeof compile>;
      let compiled: Validate | undefined;
      // Fastify calls the function and reads a failure's `errors` from it (not ajv's `schema`/`schemaEnv`).
      const validate = Object.assign(
        (data: unknown) => {
          compiled ??= compile(route);
          const valid = compiled(data);
          validate.errors = compiled.errors;
          return valid;
        },
        { errors: null as Validate['errors'] },
      );
      return validate as unknown as Validate;
    };
  };
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    const compile = serializers(externalSchemas, options);
    return (route) => {
      let compiled: ReturnType<typeof compile> | undefined;
      return (payload: unknown) => (compiled ??= compile(route))(payload);
    };
  };
  return { buildValidator, buildSerializer };
}
