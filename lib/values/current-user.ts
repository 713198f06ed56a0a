import * as os from 'node:os';

/** The local user's name for lock holders and history records; never throws (containers may lack a passwd entry). */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
