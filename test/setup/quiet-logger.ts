import { Logger } from '@nestjs/common';

// Unit tests assert on behaviour, not on log lines: keep Nest's default console logger quiet.
Logger.overrideLogger(false);
