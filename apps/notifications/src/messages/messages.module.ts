import { Module } from '@nestjs/common';
import { MessageStore } from './message.store.js';

/** Import this to record messages (MessageStore); Sql comes from the global DatabaseModule. */
@Module({
  providers: [MessageStore],
  exports: [MessageStore],
})
export class MessagesModule {}
