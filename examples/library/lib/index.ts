export * from './database-connection';
export * from './postgres-database';
export * from './web-service';
