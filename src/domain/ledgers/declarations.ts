import type { FieldDecl, FieldType, Label, LedgerDecl } from './types.ts';

const L = (zh: string, en: string): Label => ({ zh, en });
type Opts = Omit<FieldDecl, 'name' | 'type' | 'label'>;
const f =
  (type: FieldType) =>
  (name: string, zh: string, en: string, opts: Opts = {}): FieldDecl => ({ name, type, label: L(zh, en), ...opts });
const text = f('text');
const int = f('int');
const money = f('money');
const date = f('date');
const bool = f('bool');
const code = f('code');
const choice = (name: string, zh: string, en: string, categories: string, opts: Opts = {}): FieldDecl =>
  ({ name, type: 'enum', label: L(zh, en), categories, ...opts });

const startBeforeEnd =
  (start: string, end: string) =>
  (r: Record<string, unknown>) => {
    const a = r[start];
    const b = r[end];
    return typeof a === 'string' && typeof b === 'string' && b < a
      ? [{ field: end, zh: '结束日期早于开始日期', en: 'ends before it starts' }]
      : [];
  };

/** Every ledger kind the self-assessment needs, declared once. */
export const LEDGERS: readonly LedgerDecl[] = [
  {
    kind: 'meeting', table: 'meeting', label: L('会议研究部署', 'Meetings'), group: 'organisation', titleField: 'topic',
    fields: [
      choice('type', '会议类型', 'Meeting type', 'meeting_type', { required: true }),
      date('date', '日期', 'Date', { required: true }),
      text('topic', '议题', 'Topic', { required: true, maxLength: 500 }),
    ],
    naturalKey: ['type', 'date', 'topic'],
  },
  {
    kind: 'visit', table: 'visit', label: L('交流互访', 'Visits'), group: 'organisation', titleField: 'delegation',
    fields: [
      date('start_date', '开始日期', 'Start date', { required: true }),
      date('end_date', '结束日期', 'End date', { required: true }),
      text('delegation', '代表团', 'Delegation', { required: true, maxLength: 200 }),
      text('leader', '带队领导', 'Led by', { maxLength: 100 }),
      choice('direction', '方向', 'Direction', 'visit_direction', { required: true }),
      text('origin', '出发地', 'From', { required: true, maxLength: 100 }),
      text('destination', '目的地', 'To', { required: true, maxLength: 100 }),
      text('purpose', '事由', 'Purpose', { maxLength: 1000 }),
    ],
    naturalKey: ['start_date', 'delegation'],
    check: startBeforeEnd('start_date', 'end_date'),
  },
  {
    kind: 'pairing', table: 'pairing', label: L('结对帮扶', 'Pairings'), group: 'organisation', titleField: 'west_party',
    fields: [
      choice('type', '结对类型', 'Pairing type', 'pairing_type', { required: true }),
      text('east_party', '东部结对方', 'Eastern party', { required: true, maxLength: 200 }),
      text('west_party', '西部结对方', 'Western party', { required: true, maxLength: 200 }),
      code('west_unit', '西部区划代码', 'Western division code', { orgUnit: true }),
      date('since', '结对日期', 'Paired since'),
    ],
    naturalKey: ['type', 'east_party', 'west_party'],
  },
  {
    kind: 'fund_allocation', table: 'fund_allocation', label: L('协作资金安排', 'Fund allocations'), group: 'funds', titleField: 'category',
    fields: [
      choice('category', '资金用途类别', 'Category', 'fund_category', { required: true }),
      money('amount', '金额', 'Amount', { required: true }),
      text('source', '资金来源', 'Source', { maxLength: 200 }),
    ],
    naturalKey: ['category', 'source'],
  },
  {
    kind: 'fund_earmark', table: 'fund_earmark', label: L('资金专项安排', 'Earmarked funds'), group: 'funds', titleField: 'purpose',
    fields: [
      choice('purpose', '专项用途', 'Purpose', 'earmark_purpose', { required: true }),
      money('amount', '金额', 'Amount', { required: true }),
    ],
    naturalKey: ['purpose'],
  },
  {
    kind: 'fund_disbursement', table: 'fund_disbursement', label: L('资金拨付', 'Disbursements'), group: 'funds', titleField: 'project',
    fields: [
      date('date', '拨付日期', 'Date', { required: true }),
      money('amount', '拨付金额', 'Amount', { required: true }),
      text('project', '项目', 'Project', { required: true, maxLength: 200 }),
      text('voucher', '凭证号', 'Voucher no.', { maxLength: 100 }),
      choice('category', '资金用途类别', 'Category', 'fund_category'),
    ],
    naturalKey: ['date', 'project', 'voucher'],
  },
  {
    kind: 'project', table: 'project', label: L('协作项目', 'Projects'), group: 'projects', titleField: 'name',
    fields: [
      text('name', '项目名称', 'Project', { required: true, maxLength: 300 }),
      choice('category', '类别', 'Category', 'fund_category'),
      text('location', '实施地点', 'Location', { maxLength: 200 }),
      code('village', '村级区划代码', 'Village code', { orgUnit: true }),
      bool('demo_village', '示范村项目', 'Demonstration-village project'),
      money('coop_funds', '东西部协作资金', 'Cooperation funds', { qualified: true }),
      money('other_funds', '其他资金', 'Other funds', { qualified: true }),
      text('other_source', '其他资金来源', 'Other source', { maxLength: 200 }),
      choice('status', '状态', 'Status', 'project_status', { required: true }),
      date('start_date', '开工日期', 'Started'),
      date('completion_date', '完工日期', 'Completed'),
      int('households', '带动户数', 'Households reached', { qualified: true }),
      int('rural_people', '带动农村人口', 'Rural people reached', { qualified: true }),
      int('poverty_alleviated', '其中脱贫人口', 'of whom lifted out of poverty'),
      int('jobs', '解决就业人数', 'Jobs', { qualified: true }),
      text('outputs', '建设内容', 'Outputs', { maxLength: 1000 }),
    ],
    naturalKey: ['name'],
    check: (r) => {
      const out: Array<{ field: string; zh: string; en: string }> = [];
      if (r.status === 'completed' && !r.start_date && r.completion_date)
        out.push({ field: 'start_date', zh: '已完工项目须填开工日期', en: 'a completed project needs its start date' });
      if (r.status === 'planned' && r.start_date)
        out.push({ field: 'status', zh: '已填开工日期，状态不能为计划', en: 'has a start date, so it cannot be planned' });
      if (typeof r.poverty_alleviated === 'number' && typeof r.rural_people === 'number' && r.poverty_alleviated > r.rural_people)
        out.push({ field: 'poverty_alleviated', zh: '脱贫人口不能多于带动农村人口', en: 'exceeds the rural people reached' });
      return [...out, ...startBeforeEnd('start_date', 'completion_date')(r)];
    },
  },
  {
    kind: 'job_fair', table: 'job_fair', label: L('招聘活动', 'Job fairs'), group: 'labour', titleField: 'name',
    fields: [
      text('name', '活动名称', 'Name', { required: true, maxLength: 300 }),
      choice('mode', '形式', 'Mode', 'job_fair_mode'),
      date('date', '日期', 'Date'),
      text('organiser', '组织单位', 'Organiser', { maxLength: 200 }),
      int('employers', '参会企业数', 'Employers'),
      int('jobs_offered', '提供岗位数', 'Jobs offered'),
    ],
    naturalKey: ['name'],
  },
  {
    kind: 'labour_placement', table: 'labour_placement', label: L('转移就业', 'Labour placements'), group: 'labour', titleField: 'person_name',
    fields: [
      text('person_name', '姓名', 'Name', { required: true, maxLength: 50 }),
      text('resident_id', '身份证号', 'Resident ID', { required: true, pii: 'resident_id' }),
      choice('destination', '就业去向', 'Destination', 'labour_destination', { required: true }),
      text('employer', '就业单位', 'Employer', { maxLength: 200 }),
      text('workplace', '就业地点', 'Workplace', { maxLength: 200 }),
      date('start_date', '就业日期', 'Employed since', { required: true }),
      int('months', '务工月数', 'Months employed', { max: 12 }),
      bool('poverty_alleviated', '脱贫人口', 'Lifted out of poverty'),
      bool('monitored', '监测对象', 'Under monitoring'),
    ],
    naturalKey: ['resident_id', 'start_date'],
  },
  {
    kind: 'consumption_sale', table: 'consumption_sale', label: L('消费帮扶', 'Consumption assistance'), group: 'consumption', titleField: 'seller',
    fields: [
      choice('channel', '销售渠道', 'Channel', 'consumption_channel', { required: true }),
      text('seller', '销售主体', 'Seller', { required: true, maxLength: 200 }),
      text('buyer', '采购方', 'Buyer', { maxLength: 200 }),
      text('product', '产品', 'Product', { maxLength: 200 }),
      date('date', '日期', 'Date', { required: true }),
      money('amount', '金额', 'Amount', { required: true }),
    ],
    naturalKey: ['channel', 'seller', 'date', 'product'],
  },
  {
    kind: 'insurance', table: 'insurance', label: L('防返贫保险', 'Anti-poverty insurance'), group: 'social', titleField: 'scheme',
    fields: [
      text('scheme', '险种', 'Scheme', { required: true, maxLength: 200 }),
      money('premium', '投入资金', 'Premium', { required: true }),
      int('households', '参保户数', 'Households insured', { required: true }),
      int('people', '参保人数', 'People insured', { required: true }),
      int('claimants', '获赔人数', 'People paid', { required: true }),
      money('payout', '赔付金额', 'Paid out', { required: true }),
    ],
    naturalKey: ['scheme'],
    check: (r) =>
      typeof r.claimants === 'number' && typeof r.people === 'number' && r.claimants > r.people
        ? [{ field: 'claimants', zh: '获赔人数不能多于参保人数', en: 'more people paid than insured' }]
        : [],
  },
  {
    kind: 'enterprise', table: 'enterprise', label: L('引导落地企业', 'Enterprises introduced'), group: 'industry', titleField: 'name',
    fields: [
      text('name', '企业名称', 'Enterprise', { required: true, maxLength: 200 }),
      text('credit_code', '统一社会信用代码', 'Unified social credit code', { creditCode: true }),
      text('origin', '来源地', 'From', { maxLength: 100 }),
      text('agreement', '协议', 'Agreement', { maxLength: 300 }),
      date('signed_date', '签约日期', 'Signed'),
      money('planned_investment', '计划投资', 'Planned investment', { qualified: true }),
      money('actual_investment', '实际到位投资', 'Actual investment'),
      int('jobs_planned', '预计吸纳就业', 'Jobs expected'),
      int('jobs_actual', '实际吸纳就业', 'Jobs created'),
      money('subsidy', '奖补资金', 'Subsidy'),
    ],
    naturalKey: ['name'],
  },
  {
    kind: 'industrial_park', table: 'industrial_park', label: L('共建产业园区', 'Co-built industrial parks'), group: 'industry', titleField: 'name',
    fields: [
      text('name', '园区名称', 'Park', { required: true, maxLength: 300 }),
      money('total_investment', '总投资', 'Total investment', { required: true }),
      money('coop_funds', '投入协作资金', 'Cooperation funds'),
      int('floor_area_m2', '建筑面积（平方米）', 'Floor area (m²)'),
      choice('status', '状态', 'Status', 'project_status', { required: true }),
    ],
    naturalKey: ['name'],
  },
  {
    kind: 'deal', table: 'deal', label: L('签约协议', 'Signed agreements'), group: 'industry', titleField: 'title',
    fields: [
      text('title', '协议名称', 'Agreement', { required: true, maxLength: 300 }),
      choice('kind', '协议类型', 'Kind', 'deal_kind', { required: true }),
      text('parties', '签约各方', 'Parties', { required: true, maxLength: 300 }),
      text('platform', '签约平台', 'Platform', { maxLength: 100 }),
      date('signed_date', '签约日期', 'Signed'),
      money('amount', '金额', 'Amount', { qualified: true }),
    ],
    naturalKey: ['title'],
  },
  {
    kind: 'talent_exchange', table: 'talent_exchange', label: L('干部人才交流', 'Cadre and talent exchange'), group: 'talent', titleField: 'post',
    fields: [
      text('person_name', '姓名', 'Name', { maxLength: 50 }),
      choice('direction', '方向', 'Direction', 'exchange_direction', { required: true }),
      choice('kind', '类别', 'Kind', 'exchange_kind', { required: true }),
      choice('field', '领域', 'Field', 'exchange_field'),
      text('rank', '职级', 'Rank', { maxLength: 50 }),
      text('post', '挂职岗位', 'Post', { required: true, maxLength: 200 }),
      date('start_date', '开始日期', 'Start'),
      date('end_date', '结束日期', 'End'),
    ],
    naturalKey: ['direction', 'post', 'start_date'],
    check: startBeforeEnd('start_date', 'end_date'),
  },
  {
    kind: 'talent_plan', table: 'talent_plan', label: L('人才交流计划', 'Exchange plans'), group: 'talent', titleField: 'field',
    fields: [
      choice('direction', '方向', 'Direction', 'exchange_direction', { required: true }),
      choice('kind', '类别', 'Kind', 'exchange_kind', { required: true }),
      choice('field', '领域', 'Field', 'exchange_field', { required: true }),
      int('planned', '计划人数', 'Planned', { required: true }),
      text('remark', '说明', 'Remark', { maxLength: 300 }),
    ],
    naturalKey: ['direction', 'kind', 'field'],
  },
  {
    kind: 'donation', table: 'donation', label: L('社会帮扶捐赠', 'Social donations'), group: 'social', titleField: 'donor',
    fields: [
      text('donor', '捐赠方', 'Donor', { required: true, maxLength: 200 }),
      choice('donor_kind', '捐赠方类型', 'Donor kind', 'donor_kind', { required: true }),
      text('via', '经由', 'Via', { maxLength: 200 }),
      text('recipient', '受赠方', 'Recipient', { required: true, maxLength: 200 }),
      choice('form', '形式', 'Form', 'donation_form', { required: true }),
      text('items', '捐赠物品', 'Items', { maxLength: 300 }),
      money('value', '价值', 'Value', { required: true, qualified: true }),
      int('beneficiaries', '受益人数', 'Beneficiaries'),
      date('date', '日期', 'Date'),
    ],
    naturalKey: ['donor', 'recipient', 'items'],
  },
  {
    // What a project, park or enterprise produces or holds, as typed quantities tied to that record, so
    // one park's capacity is never printed as every park's and no product is built into a field name.
    kind: 'output', table: 'record_output', label: L('产出与效益', 'Outputs and capacity'), group: 'industry', titleField: 'item',
    fields: [
      choice('owner_kind', '所属台账', 'Belongs to', 'output_owner', { required: true }),
      text('owner', '所属项目、园区或企业名称', 'Project, park or enterprise', { required: true, maxLength: 300 }),
      text('item', '产出或效益', 'Output', { required: true, maxLength: 100 }),
      int('quantity', '数量', 'Quantity', { required: true, qualified: true }),
      text('unit', '计量单位', 'Unit', { required: true, maxLength: 20 }),
    ],
    naturalKey: ['owner_kind', 'owner', 'item'],
  },
  {
    kind: 'demo_village', table: 'demo_village', label: L('乡村振兴示范村', 'Demonstration villages'), group: 'villages', titleField: 'name',
    fields: [
      code('village', '村级区划代码', 'Village code', { required: true, orgUnit: true }),
      text('name', '村名', 'Village', { required: true, maxLength: 100 }),
      int('designated_year', '确定年份', 'Designated in', { min: 2000, max: 2100 }),
      text('programme', '示范类别', 'Programme', { maxLength: 100 }),
    ],
    naturalKey: ['village'],
  },
];

const byKind = new Map(LEDGERS.map((l) => [l.kind, l]));

/** The declaration of a ledger kind, or undefined for an unknown kind. */
export function ledgerDecl(kind: string): LedgerDecl | undefined {
  return byKind.get(kind);
}
