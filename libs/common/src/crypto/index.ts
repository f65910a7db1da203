export * from './key-files.js';
export * from './sealed-box.js';
export * from './otp-seal.js';
