import type { User } from './user.ts';

/** Users in the metadata database. */
export interface UserStore {
  get(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  findBySubject(provider: string, subject: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  count(): Promise<number>;
  insert(user: User): Promise<void>;
  update(user: User): Promise<void>;
}
