/**
 * The plan editor (`/admin/billing/plans/new`, `/admin/billing/plans/:id`): name, key (on creation), description,
 * prices, trial, limits, included plugins, listed or not; for an existing plan, make it the default or archive it.
 * Problems found before sending, and the API's 4xx errors, show beside the field they name.
 */
import { useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { billingAdminText as t } from './admin-billing-messages';
import {
  limitDrafts,
  limitsFrom,
  priceDrafts,
  pricesFrom,
  type AdminPlan,
  type LimitDraft,
  type LimitEntry,
  type PluginPrice,
  type PriceDraft,
} from './admin-billing-model';
import { LimitsTable, PluginsChoice } from './admin-billing-plan-fields';
import { PlanBadges } from './admin-billing-plans';
import { useTenantPlugins } from './admin-billing-plugin-prices';
import { PriceRows } from './admin-billing-prices';
import { decimalToScaled } from './fields/convert';
import { navigate } from './router';
import { Dialog, DialogActions, errorsFor, ErrorBanner, Field, Form, Loading, PageHeader, Submit, TextInput, useAction, useLoad, When } from './ui';
import './admin-billing.css';

/** The form's state. */
interface PlanDraft {
  name: string;
  key: string;
  description: string;
  trial: string;
  listed: boolean;
  prices: PriceDraft[];
  limits: Record<string, LimitDraft>;
  everyPlugin: boolean;
  plugins: string[];
}

function draftOf(plan: AdminPlan | undefined): PlanDraft {
  return {
    name: plan?.name ?? '',
    key: plan?.key ?? '',
    description: plan?.description ?? '',
    trial: String(plan?.trial_days ?? 0),
    listed: plan?.public ?? true,
    prices: priceDrafts(plan?.prices ?? []),
    limits: limitDrafts(plan?.limits ?? {}),
    everyPlugin: plan ? plan.plugins === null : true,
    plugins: plan?.plugins ?? [],
  };
}

/** The request body, or a 422 with the problems keyed as the API keys them. */
function bodyOf(draft: PlanDraft, creating: boolean): Record<string, unknown> {
  const prices = pricesFrom(draft.prices, { amount: (digits) => t('amountInvalid', { digits }), duplicate: t('duplicatePrice') });
  const limits = limitsFrom(draft.limits, t('limitInvalid'));
  const problems: Record<string, string[]> = { ...prices.problems, ...limits.problems };
  const trial = decimalToScaled(draft.trial.trim() || '0', 0);
  if (trial === undefined || trial < 0 || trial > 365) problems.trial_days = [t('trialHint')];
  if (Object.keys(problems).length > 0) throw new ApiError(422, 'validation_failed', t('checkForm'), problems);
  return {
    ...(creating ? { key: draft.key.trim() } : {}),
    name: draft.name.trim(),
    description: draft.description,
    prices: prices.prices,
    trial_days: trial,
    limits: limits.limits,
    plugins: draft.everyPlugin ? null : draft.plugins,
    public: draft.listed,
  };
}

/** Whether an error key is one the form shows beside a field. */
const placedKey = (key: string) => /^(name|key|description|trial_days|public|prices|limits|plugins)(\.|$)/.test(key);

/** `/admin/billing/plans/new` (`id` undefined) or `/admin/billing/plans/:id`. */
export function AdminBillingPlanPage({ id }: { id?: string }) {
  const plan = useLoad(() => (id ? get<AdminPlan>(`/admin/billing/plans/${encodeURIComponent(id)}`) : Promise.resolve(undefined)), [id]);
  const catalogue = useLoad(() => get<LimitEntry[]>('/admin/billing/limits'), []);
  const plugins = useTenantPlugins();
  const prices = useLoad(() => get<PluginPrice[]>('/admin/billing/plugin-prices'), []);
  if ((id && plan.loading && !plan.data) || catalogue.loading || plugins.loading || prices.loading) return <Loading />;
  const failed = (id ? plan.error : undefined) ?? catalogue.error ?? plugins.error ?? prices.error;
  if (failed) return <ErrorBanner error={failed} />;
  return (
    <PlanForm
      key={plan.data?.id ?? 'new'}
      plan={plan.data}
      catalogue={catalogue.data ?? []}
      plugins={plugins.data ?? []}
      priced={(prices.data ?? []).filter((entry) => entry.prices.length > 0).map((entry) => entry.plugin)}
      onChanged={plan.reload}
    />
  );
}

function PlanForm(props: {
  plan: AdminPlan | undefined;
  catalogue: LimitEntry[];
  plugins: NonNullable<ReturnType<typeof useTenantPlugins>['data']>;
  priced: string[];
  onChanged(): void;
}) {
  const { plan, catalogue, plugins, priced, onChanged } = props;
  const creating = !plan;
  const [draft, setDraft] = useState<PlanDraft>(() => draftOf(plan));
  const change = (patch: Partial<PlanDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const save = useAction(async () => {
    const body = bodyOf(draft, creating);
    const saved = creating
      ? (await call<AdminPlan>('POST', '/admin/billing/plans', { body })).data
      : (await call<AdminPlan>('PATCH', `/admin/billing/plans/${plan.id}`, { body })).data;
    navigate(`/admin/billing/plans?saved=${encodeURIComponent(saved.key)}`);
  });
  const errors = save.error instanceof ApiError ? save.error.errors : {};
  const placed = Object.keys(errors).filter(placedKey);
  const title = plan ? plan.name : t('newPlan');
  return (
    <section class="admin-billing narrow-wide">
      <p class="breadcrumb">
        <a href="/admin/billing/plans">
          <span class="icon-directional" aria-hidden="true">
            ←
          </span>{' '}
          {t('backToPlans')}
        </a>
      </p>
      <PageHeader title={title}>{plan && <PlanBadges plan={plan} />}</PageHeader>
      {plan?.archived_at && (
        <p class="banner warning">
          <ArchivedNote when={plan.archived_at} />
        </p>
      )}
      <Form noValidate onSubmit={save.run}>
        <ErrorBanner error={save.error} placed={placed} />
        <div class="panel">
          <h2>{t('planSection')}</h2>
          <TextInput id="plan-name" label={t('name')} value={draft.name} required onInput={(name) => change({ name })} errors={errorsFor(save.error, 'name')} />
          {creating && (
            <TextInput
              id="plan-key"
              label={t('key')}
              value={draft.key}
              required
              hint={t('keyHint')}
              onInput={(key) => change({ key })}
              errors={errorsFor(save.error, 'key')}
              placeholder="pro"
            />
          )}
          <Field id="plan-description" label={t('description')} errors={errorsFor(save.error, 'description')}>
            <textarea
              id="plan-description"
              rows={3}
              dir="auto"
              value={draft.description}
              aria-invalid={errorsFor(save.error, 'description').length > 0 ? 'true' : undefined}
              onInput={(event) => change({ description: event.currentTarget.value })}
            />
          </Field>
          <TextInput
            id="plan-trial"
            label={t('trialLabel')}
            type="number"
            value={draft.trial}
            hint={t('trialHint')}
            onInput={(trial) => change({ trial })}
            errors={errorsFor(save.error, 'trial_days')}
          />
          <div class="field checkbox">
            <label>
              <input
                type="checkbox"
                checked={draft.listed}
                aria-describedby="plan-public-hint"
                onChange={(event) => change({ listed: event.currentTarget.checked })}
              />{' '}
              {t('publicLabel')}
            </label>
            <small class="hint" id="plan-public-hint">
              {t('publicHint')}
            </small>
          </div>
        </div>
        <div class="panel">
          <h2 id="plan-prices-title">{t('prices')}</h2>
          <p class="muted">{t('pricesHelp')}</p>
          <PriceRows id="plan-prices" rows={draft.prices} onRows={(rows) => change({ prices: rows })} problems={errors} />
        </div>
        <div class="panel">
          <h2>{t('limitsTitle')}</h2>
          <p class="muted">{t('limitsHelp')}</p>
          <LimitsTable
            catalogue={catalogue}
            plugins={plugins}
            drafts={draft.limits}
            problems={errors}
            onDraft={(limit, value) => change({ limits: { ...draft.limits, [limit]: value } })}
          />
          {errorsFor(save.error, 'limits').length > 0 && <p class="field-error">{errorsFor(save.error, 'limits').join('; ')}</p>}
        </div>
        <div class="panel">
          <PluginsChoice
            plugins={plugins}
            priced={priced}
            every={draft.everyPlugin}
            chosen={draft.plugins}
            onEvery={(everyPlugin) => change({ everyPlugin })}
            onChosen={(chosen) => change({ plugins: chosen })}
            errors={Object.entries(errors)
              .filter(([key]) => key === 'plugins' || key.startsWith('plugins.'))
              .flatMap(([, messages]) => messages)}
          />
        </div>
        <div class="form-actions">
          <Submit busy={save.busy}>{creating ? t('createPlan') : t('savePlan')}</Submit>
        </div>
      </Form>
      {plan && !plan.archived_at && <PlanActions plan={plan} onChanged={onChanged} />}
    </section>
  );
}

function ArchivedNote({ when }: { when: string }) {
  const marker = '\u0000';
  const [before = '', after = ''] = t('archivedNote', { date: marker }).split(marker);
  return (
    <>
      {before}
      <When value={when} />
      {after}
    </>
  );
}

/** Make default; archive (after a confirmation). */
function PlanActions({ plan, onChanged }: { plan: AdminPlan; onChanged(): void }) {
  const [asking, setAsking] = useState(false);
  const [outcome, setOutcome] = useState<string>();
  const makeDefault = useAction(async () => {
    await call('POST', `/admin/billing/plans/${plan.id}/default`);
    setOutcome(t('defaultDone', { name: plan.name }));
    onChanged();
  });
  const archive = useAction(async () => {
    await call('POST', `/admin/billing/plans/${plan.id}/archive`);
    setAsking(false);
    navigate(`/admin/billing/plans?saved=${encodeURIComponent(plan.key)}`);
  });
  return (
    <section class="panel" aria-labelledby="plan-actions-title">
      <h2 id="plan-actions-title">{t('planActions')}</h2>
      <ErrorBanner error={makeDefault.error} />
      {outcome && (
        <p class="banner success" role="status">
          {outcome}
        </p>
      )}
      <p class="muted">{t('makeDefaultHelp')}</p>
      <div class="card-actions">
        <button type="button" class="secondary" disabled={plan.is_default || makeDefault.busy} onClick={() => void makeDefault.run()}>
          {t('makeDefault')}
        </button>
        <button
          type="button"
          class="danger"
          disabled={plan.is_default}
          onClick={() => {
            archive.setError(undefined);
            setAsking(true);
          }}
        >
          {t('archive')}
        </button>
      </div>
      {asking && (
        <Dialog title={t('archiveTitle', { name: plan.name })} onClose={() => setAsking(false)}>
          <Form noValidate onSubmit={archive.run}>
            <ErrorBanner error={archive.error} />
            <p>{t('archiveText', { tenants: plan.tenants })}</p>
            <DialogActions onCancel={() => setAsking(false)} busy={archive.busy}>
              {t('archivePlan')}
            </DialogActions>
          </Form>
        </Dialog>
      )}
    </section>
  );
}
