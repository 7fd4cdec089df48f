import { decodeJwt } from 'jose';
import { UserAdministration } from '../../src/admin/user-administration.service.js';
import { UserRepository } from '../../src/sessions/user.repository.js';
import { describeWithRedisCluster, RedisCluster } from '../support/redis-cluster.js';
import {
  bearer,
  describeOnEveryStore,
  json,
  login,
  type LoggedIn,
  phoneSequence,
  postJson,
  refreshSession,
  sharedStoreSettings,
  startTestApp,
  type StoreUnderTest,
  type TestApp,
} from '../support/e2e-kit.js';

const changeSend = (t: TestApp, accessToken: string, phone: string) => postJson(t, '/v1/me/phone/send', { phone }, bearer(accessToken));
const changeVerify = (t: TestApp, accessToken: string, body: object) => postJson(t, '/v1/me/phone/verify', body, bearer(accessToken));
const listSessions = (t: TestApp, accessToken: string) => t.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(accessToken) });

/** Moves `session`'s user to `phone` with the code the app sends: the verify's answer. */
async function moveTo(t: TestApp, session: LoggedIn, phone: string) {
  const sent = await changeSend(t, session.accessToken, phone);
  expect(sent.statusCode).toBe(202);
  return changeVerify(t, session.accessToken, { verificationId: json(sent).verificationId, code: t.codes.last });
}

function phoneChangeSuite(store: Pick<StoreUnderTest, 'settings'>, block: string) {
  let t: TestApp;
  const nextPhone = phoneSequence(block);

  afterEach(async () => t?.close());

  describe('with the default PHONE_CHANGE_ENDS_SESSIONS', () => {
    beforeEach(async () => {
      t = await startTestApp(store.settings());
    });

    it('moves a person to a new number: same id, new phone_number in fresh tokens, other sessions ended; the old number then logs in as a new user', async () => {
      const [oldPhone, newPhone] = [nextPhone(), nextPhone()];
      const current = await login(t, oldPhone);
      const other = await login(t, oldPhone);
      const moved = await moveTo(t, current, newPhone);
      expect(moved.statusCode).toBe(200);
      expect(moved.headers['cache-control']).toBe('no-store');
      const tokens = json(moved);
      expect(tokens.user).toEqual({ id: current.user.id, phone: newPhone });
      expect(tokens.sessionId).not.toBe(current.sessionId);
      expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: current.user.id, phone_number: newPhone });

      expect((await listSessions(t, other.accessToken)).statusCode).toBe(401);
      expect((await listSessions(t, current.accessToken)).statusCode).toBe(401);
      expect(json(await refreshSession(t, current.refreshToken)).code).toBe('invalid_refresh_token');
      const refreshed = await refreshSession(t, tokens.refreshToken);
      expect(decodeJwt(json(refreshed).accessToken).phone_number).toBe(newPhone);

      expect((await login(t, newPhone)).user.id).toBe(current.user.id);
      const stranger = await login(t, oldPhone);
      expect(stranger.user.id).not.toBe(current.user.id);
    });

    it('refuses a number another user holds with phone_in_use, and changes nothing', async () => {
      const mine = await login(t, nextPhone());
      const theirs = await login(t, nextPhone());
      const sent = await changeSend(t, mine.accessToken, theirs.user.phone);
      // The send says nothing of the number's owner.
      expect(sent.statusCode).toBe(202);
      const refused = await changeVerify(t, mine.accessToken, { verificationId: json(sent).verificationId, code: t.codes.last });
      expect(refused.statusCode).toBe(409);
      expect(json(refused)).toMatchObject({ code: 'phone_in_use', status: 409 });
      expect(refused.body).not.toContain(theirs.user.id);
      expect((await listSessions(t, mine.accessToken)).statusCode).toBe(200);
      expect((await listSessions(t, theirs.accessToken)).statusCode).toBe(200);
      expect((await login(t, mine.user.phone)).user.id).toBe(mine.user.id);
      expect((await login(t, theirs.user.phone)).user.id).toBe(theirs.user.id);
    });

    it('says nothing at the send of a number whose user is banned: the verify answers phone_in_use', async () => {
      const mine = await login(t, nextPhone());
      const theirs = await login(t, nextPhone());
      await t.app.get(UserAdministration).ban(undefined, theirs.user.id, { untilMs: null, reason: 'fraud' });
      const sent = await changeSend(t, mine.accessToken, theirs.user.phone);
      expect(sent.statusCode).toBe(202);
      const refused = await changeVerify(t, mine.accessToken, { verificationId: json(sent).verificationId, code: t.codes.last });
      expect(json(refused)).toMatchObject({ code: 'phone_in_use', status: 409 });
      expect((await login(t, mine.user.phone)).user.id).toBe(mine.user.id);
      // A login of the banned number is still refused.
      expect(json(await postJson(t, '/v1/otp/send', { phone: theirs.user.phone })).code).toBe('user_banned');
    });

    it('binds the code to its session and purpose: it logs no one in, and another session cannot use it', async () => {
      const phone = nextPhone();
      const first = await login(t, phone);
      const second = await login(t, phone);
      const newPhone = nextPhone();
      const sent = await changeSend(t, first.accessToken, newPhone);
      const code = t.codes.last;
      const asLogin = await postJson(t, '/v1/otp/verify', { phone: newPhone, code });
      expect([asLogin.statusCode, json(asLogin).code]).toEqual([404, 'verification_not_found']);
      const fromOther = await changeVerify(t, second.accessToken, { verificationId: json(sent).verificationId, code });
      expect([fromOther.statusCode, json(fromOther).code]).toEqual([404, 'verification_not_found']);
      const asStepUp = await postJson(t, '/v1/otp/verify', { purpose: 'step_up', verificationId: json(sent).verificationId, code }, bearer(first.accessToken));
      expect(json(asStepUp).code).toBe('verification_not_found');
      const anonymous = await postJson(t, '/v1/me/phone/verify', { verificationId: json(sent).verificationId, code });
      expect([anonymous.statusCode, json(anonymous).code]).toEqual([401, 'unauthorized']);
      expect((await changeVerify(t, first.accessToken, { verificationId: json(sent).verificationId, code })).statusCode).toBe(200);
    });

    it('never lets a number log in as a user whose move stopped halfway: the login repairs the stale index', async () => {
      const users = t.app.get(UserRepository);
      const oldPhone = nextPhone();
      const { user } = await login(t, oldPhone);
      // Stopped after the claim: the change did not happen; the new number is someone new.
      const unmoved = nextPhone();
      expect(await users.claimPhone(user.id, unmoved)).toBe(true);
      expect((await login(t, unmoved)).user.id).not.toBe(user.id);
      expect((await login(t, oldPhone)).user.id).toBe(user.id);
      // Stopped after the record moved: the change happened; the old number is someone new.
      const moved = nextPhone();
      expect(await users.claimPhone(user.id, moved)).toBe(true);
      expect(await users.setPhone(user.id, moved, Date.now())).toBe(oldPhone);
      expect((await login(t, moved)).user.id).toBe(user.id);
      const stranger = await login(t, oldPhone);
      expect(stranger.user.id).not.toBe(user.id);
      expect(decodeJwt(stranger.accessToken).phone_number).toBe(oldPhone);
      expect((await login(t, oldPhone)).user.id).toBe(stranger.user.id);
    });

    it('refuses the account\'s own number, and a login code for the new number', async () => {
      const session = await login(t, nextPhone());
      const same = await changeSend(t, session.accessToken, session.user.phone);
      expect([same.statusCode, json(same).code]).toEqual([400, 'validation_failed']);
      const newPhone = nextPhone();
      const loginSend = await postJson(t, '/v1/otp/send', { phone: newPhone });
      const viaLoginCode = await changeVerify(t, session.accessToken, { verificationId: json(loginSend).verificationId, code: t.codes.last });
      expect(json(viaLoginCode).code).toBe('verification_not_found');
    });
  });

  describe('with PHONE_CHANGE_ENDS_SESSIONS=false', () => {
    beforeEach(async () => {
      t = await startTestApp({ ...store.settings(), PHONE_CHANGE_ENDS_SESSIONS: 'false' });
    });

    it('keeps the other sessions, whose next tokens carry the new number', async () => {
      const oldPhone = nextPhone();
      const current = await login(t, oldPhone);
      const other = await login(t, oldPhone);
      const newPhone = nextPhone();
      expect((await moveTo(t, current, newPhone)).statusCode).toBe(200);
      expect((await listSessions(t, other.accessToken)).statusCode).toBe(200);
      const refreshed = await refreshSession(t, other.refreshToken);
      expect(refreshed.statusCode).toBe(200);
      expect(json(refreshed).user).toEqual({ id: current.user.id, phone: newPhone });
      expect(decodeJwt(json(refreshed).accessToken).phone_number).toBe(newPhone);
      expect((await listSessions(t, current.accessToken)).statusCode).toBe(401);
    });
  });
}

describeOnEveryStore('phone change on the $name', (store) => phoneChangeSuite(store, '987664'));

describeWithRedisCluster('phone change on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  });
  afterAll(async () => cluster?.stop());
  phoneChangeSuite({ settings: () => sharedStoreSettings({ REDIS_CLUSTER_NODES: cluster.nodes }) }, '987665');
});
