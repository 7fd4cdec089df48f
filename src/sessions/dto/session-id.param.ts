import { Matches } from 'class-validator';

export class SessionIdParam {
  @Matches(/^ses_[A-Za-z0-9_-]{22}$/, { message: 'id is not a session id' })
  id!: string;
}

export class UserIdParam {
  @Matches(/^usr_[A-Za-z0-9_-]{22}$/, { message: 'userId is not a user id' })
  userId!: string;
}
