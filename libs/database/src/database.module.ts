import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { serviceDataSourceOptions, type ServiceDatabaseOptions } from './database.options.js';
import { Sql } from './sql.js';

/** The service's DataSource (injectable as `DataSource`) on its own schema, and `Sql` on top of it. */
@Module({})
export class DatabaseModule {
  static forRoot(options: ServiceDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot({ ...serviceDataSourceOptions(options), retryAttempts: 3, retryDelay: 500 })],
      providers: [Sql],
      exports: [TypeOrmModule, Sql],
    };
  }
}
