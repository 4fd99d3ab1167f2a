import { settingsDal } from '../db/settings.js';
import { apiSecretsDal } from '../features/api-secrets/api-secrets-dal.js';
import { ApiSecretService, ApiSecretVerifier } from '../features/api-secrets/api-secrets-service.js';
import { catalogDal } from '../features/catalog/catalog-dal.js';
import { CatalogService } from '../features/catalog/catalog-service.js';
import { clicksDal } from '../features/clicks/clicks-dal.js';
import { ClickService } from '../features/clicks/clicks-service.js';
import { LinkService } from '../features/clicks/links-service.js';
import { ConversionService } from '../features/conversions/conversions-service.js';
import { eventsDal } from '../features/conversions/events-dal.js';
import type { RecordEventCommand } from '../features/conversions/events-types.js';
import { Redactor } from '../features/conversions/raw-request.js';
import { deliveriesDal } from '../features/delivery/deliveries-dal.js';
import { DeliveryService } from '../features/delivery/delivery-service.js';
import { createSender, type Sender } from '../features/delivery/sender.js';
import { DeliveryWorker } from '../features/delivery/worker.js';
import { destinationsDal } from '../features/destinations/destinations-dal.js';
import { DestinationService } from '../features/destinations/destinations-service.js';
import { usersDal } from '../features/ledger/users-dal.js';
import { UserService } from '../features/ledger/users-service.js';
import { LEVEL_POSTBACK_SOURCE, LevelPostbackIntake, type PostbackOutcome } from '../features/level-postbacks/level-postbacks-intake.js';
import { PlatformEventService } from '../features/platform-events/platform-events-service.js';
import type { HubDb } from '../features/procedures.js';
import { SourcePostbackIntake } from '../features/sources/source-intake.js';
import { SourceTester } from '../features/sources/source-tester.js';
import { sourcesDal } from '../features/sources/sources-dal.js';
import { SourceService } from '../features/sources/sources-service.js';
import { statsDal } from '../features/stats/stats-dal.js';
import { StatsService } from '../features/stats/stats-service.js';
import type { Metrics } from '../http/metrics.js';
import type { Clock } from '../lib/clock.js';
import { SecretBox } from '../lib/secret-box.js';

/** Where services report what they cannot answer a caller about (pino's shape). */
export interface Log {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
}

import { AppKeyService, appKeysDal } from '../features/reward-app/app-keys.js';
import { rewardAppDal } from '../features/reward-app/reward-app-dal.js';
import { GoalService, goalsDal } from '../features/goals/goals.js';
import { AuditService, auditDal } from '../features/audit/audit.js';
import { RewardAppService } from '../features/reward-app/reward-app-service.js';
import { operatorsStore } from '../features/operators/operators-dal.js';
import { OperatorService, type SessionPolicy } from '../features/operators/operators.js';
import { alertsDal } from '../features/alerts/alerts-dal.js';
import { AlertService } from '../features/alerts/alerts-service.js';
import { Notifier, type SmtpSettings } from '../features/alerts/channels.js';
import { AlertMonitor } from '../features/alerts/monitor.js';

export interface ServiceOptions {
  clock: Clock;
  metrics: Metrics;
  log: Log;
  secretKey: string;
  outboundAllow: readonly string[];
  deliveryLeaseMs: number;
  rawBodyLimit: number;
  sessions: SessionPolicy;
  /** Where alert emails go out; undefined: email channels report that they cannot send. */
  smtp?: SmtpSettings | undefined;
}

/**
 * Every service of the hub, built once over the database. The HTTP layer and the delivery
 * worker are both built from this; neither builds a service itself.
 */
export function buildServices(db: HubDb, options: ServiceOptions) {
  const { clock, metrics, log } = options;
  const box = SecretBox.fromText(options.secretKey);
  const dal = dataAccess(db);


  const redactor = new Redactor();
  const sources = new SourceService(dal.sources, box, clock, redactor);
  const destinations = new DestinationService(dal.destinations, box, clock);
  const sender: Sender = createSender({ allowCidrs: options.outboundAllow });
  const worker = new DeliveryWorker({
    store: { ...dal.deliveries, getDestination: dal.destinations.getDestination },
    destinations,
    sender,
    clock,
    leaseMs: options.deliveryLeaseMs,
    onAttempt: (destination, outcome, seconds) => {
      metrics.deliveryAttempts.inc({ destination, outcome });
      metrics.attemptDuration.observe(seconds);
    },
    onError: (error, deliveryId) => log.error({ err: error, deliveryId }, 'a delivery attempt could not run'),
    onAttemptFailed: ({ deliveryId, destinationId, attempt, next }) =>
      log.warn(
        { deliveryId, destinationId, attempt: attempt.attempt, status: attempt.status, error: attempt.error, retry: next.state === 'pending' ? new Date(next.at).toISOString() : null },
        next.state === 'pending' ? 'a delivery attempt failed; it will be retried' : 'a delivery attempt failed; the delivery has failed',
      ),
    onPaused: (destinationId, reason) => log.warn({ destinationId, reason }, 'a destination was paused: its deliveries wait until it is resumed'),
  });
  const links = new LinkService({ ...dal.clicks, getOffer: dal.catalog.getOffer, getApp: dal.catalog.getApp }, clock);
  const clicks = new ClickService(links, dal.clicks, clock, (error, click) => log.error({ err: error, clickId: click.id, linkId: click.linkId }, 'a click could not be recorded'));
  const conversions = new ConversionService({
    store: { ...dal.clicks, ...dal.settings, ...dal.events },
    deliveriesFor: (event) => destinations.deliveriesFor(event),
    offerHasLinks: (offerId) => links.offerHasLinks(offerId),
    clock,
    settleClicks: () => clicks.drain(),
  });
  const goals = new GoalService(dal.goals, clock, (event) => destinations.deliveriesFor(event));
  const prepare = prepareWith(conversions, goals);
  const countPostback = (source: string, outcome: PostbackOutcome, seconds: number) => {
    metrics.postbacks.inc({ source, outcome });
    metrics.postbackDuration.observe({ source }, seconds);
  };
  const secrets = new ApiSecretVerifier(dal.apiSecrets, clock);
  const levelPostbacks = new LevelPostbackIntake({
    store: dal.events,
    secrets,
    prepare,
    clock,
    rawBodyLimit: options.rawBodyLimit,
    redactor,
    onOutcome: (outcome, seconds) => countPostback(LEVEL_POSTBACK_SOURCE, outcome, seconds),
  });
  const alerts = buildAlerts(dal.alerts, { box, clock, log, sender, smtp: options.smtp });
  const sourcePostbacks = new SourcePostbackIntake({ sources, prepare, store: dal.events, clock, rawBodyLimit: options.rawBodyLimit, redactor, onOutcome: countPostback });
  return {
    redactor,
    sources,
    sourcePostbacks,
    sourceTester: new SourceTester({ sources, intake: sourcePostbacks, events: dal.events, deliveries: dal.deliveries, destinations, clock }),
    levelPostbacks,
    platformEvents: new PlatformEventService({ store: { ...dal.events, ...dal.deliveries }, secrets, clock, prepare }),
    destinations,
    sender,
    worker,
    deliveries: new DeliveryService(dal.deliveries, clock),
    links,
    clicks,
    conversions,
    users: new UserService(dal.users, clock),
    catalog: new CatalogService(dal.catalog, clock),
    apiSecrets: new ApiSecretService(dal.apiSecrets, clock, () => secrets.forget()),
    stats: new StatsService(dal.stats, clock),
    appKeys: new AppKeyService(dal.appKeys, dal.catalog, clock, (error) => log.warn({ err: error }, "an app key's last use could not be noted")),
    rewardApp: new RewardAppService({ db, store: dal.rewardApp, users: dal.users, clock }),
    goals,
    audit: new AuditService(dal.audit, clock),
    operators: new OperatorService(dal.operators, clock, options.sessions, (error) => log.warn({ err: error }, "a session's or key's last use could not be noted")),
    ...alerts,
  };
}

/** The alerts: the admin side, the monitor (started by `serve` and `worker` processes) and what sends notices. */
function buildAlerts(store: ReturnType<typeof alertsDal>, deps: { box: SecretBox; clock: Clock; log: Log; sender: Sender; smtp: SmtpSettings | undefined }) {
  const notifier = new Notifier({ sender: deps.sender, smtp: deps.smtp });
  // The monitor reads the channels through the service, which asks the monitor for an outage only it can see.
  let alerts: AlertService | null = null;
  const alertMonitor = new AlertMonitor({ store, channels: () => alerts!.openChannels(), notifier, clock: deps.clock, log: deps.log });
  alerts = new AlertService({ store, box: deps.box, clock: deps.clock, notifier, monitor: alertMonitor });
  return { alerts, alertMonitor, notifier };
}

export type Services = ReturnType<typeof buildServices>;

/** Every feature's data access over the one database. */
function dataAccess(db: HubDb) {
  return {
    users: usersDal(db),
    catalog: catalogDal(db),
    apiSecrets: apiSecretsDal(db),
    sources: sourcesDal(db),
    destinations: destinationsDal(db),
    deliveries: deliveriesDal(db),
    events: eventsDal(db),
    clicks: clicksDal(db),
    stats: statsDal(db),
    settings: settingsDal(db),
    appKeys: appKeysDal(db),
    goals: goalsDal(db),
    audit: auditDal(db),
    operators: operatorsStore(db),
    alerts: alertsDal(db),
    rewardApp: rewardAppDal(db),
  };
}

/** What every intake does to a command before recording it. Attributed and screened first: a goal's event carries the completing event's attribution. */
function prepareWith(conversions: ConversionService, goals: GoalService): (command: RecordEventCommand) => Promise<RecordEventCommand> {
  return async (command) => goals.prepare(await conversions.prepare(command));
}
