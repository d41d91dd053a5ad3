import { flat } from '../kit/flat.ts';
import { Rng } from '../kit/rng.ts';

/**
 * The shared seed universe: one deterministic world of companies, people and products from which
 * the QuickBooks Online and Salesforce emulators each seed their side. Both emulators started with
 * the same --seed and --records see the same companies, so matching is a real problem: most
 * companies exist on both sides, spelled a little differently; some exist on one side only.
 *
 * Everything is a pure function of (seed, index), so a company can be generated without
 * generating those before it, and two processes agree without talking to each other.
 */

export interface SeedAddress {
  line1: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

export interface SeedPerson {
  salutation: string;
  firstName: string;
  lastName: string;
  title: string;
  email: string;
  phone: string;
  mobile: string | null;
}

/** How the Salesforce spelling of a company relates to its QuickBooks one. */
export type MatchKind =
  /** identical names */
  | 'exact'
  /** equal once case, punctuation and spacing are ignored */
  | 'normalized'
  /** names differ; the primary contact's email is the same */
  | 'email'
  /** nothing a rule can match on: a person has to link them */
  | 'none';

export type Presence = 'both' | 'qbo' | 'sf';

export interface SeedSubCustomer {
  name: string;
  /** A job/project (Job=true) rather than a plain sub-customer. */
  job: boolean;
  billWithParent: boolean;
}

export interface SeedCompany {
  index: number;
  /** Stable id across both sides: ground truth for matching tests. */
  key: string;
  /** The name as QuickBooks knows it (DisplayName / CompanyName). */
  qboName: string;
  /** The name as Salesforce knows it (Account.Name). */
  sfName: string;
  /** A person trading under their own name (no company name in QuickBooks). */
  individual: boolean;
  presence: Presence;
  match: MatchKind;
  contact: SeedPerson;
  /** The primary contact's email as Salesforce has it (differs when match is 'none'). */
  sfEmail: string;
  website: string | null;
  fax: string | null;
  billing: SeedAddress;
  shipping: SeedAddress | null;
  notes: string | null;
  taxable: boolean;
  industry: string;
  subCustomers: SeedSubCustomer[];
}

export type SeedItemType = 'Service' | 'NonInventory' | 'Inventory';

export interface SeedItem {
  index: number;
  key: string;
  name: string;
  sku: string;
  type: SeedItemType;
  description: string;
  /** Unit price, exact decimal text with two places. */
  unitPrice: string;
  /** Purchase cost, exact decimal text with two places. */
  purchaseCost: string;
  qtyOnHand: number;
  presence: Presence;
  family: string;
}

// Intuit's sandbox company ("Craig's Design and Landscaping Services") comes first, so a small
// seed looks like the sandbox a QuickBooks developer knows.
const SANDBOX_CUSTOMERS: ReadonlyArray<{
  name: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  line1: string;
  city: string;
  state: string;
  zip: string;
  individual?: boolean;
  subs?: SeedSubCustomer[];
}> = [
  {
    name: "Amy's Bird Sanctuary",
    first: 'Amy',
    last: 'Lauterbach',
    email: 'Birds@Intuit.com',
    phone: '(650) 555-3311',
    line1: '4581 Finch St.',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
  },
  {
    name: "Bill's Windsurf Shop",
    first: 'Bill',
    last: 'Lucchini',
    email: 'Surf@Intuit.com',
    phone: '(415) 444-6538',
    line1: '12 Ocean Dr.',
    city: 'Half Moon Bay',
    state: 'CA',
    zip: '94213',
  },
  {
    name: 'Cool Cars',
    first: 'Grace',
    last: 'Pariente',
    email: 'Cool_Cars@intuit.com',
    phone: '(415) 555-9933',
    line1: '65 Ocean Dr.',
    city: 'Half Moon Bay',
    state: 'CA',
    zip: '94213',
  },
  {
    name: 'Diego Rodriguez',
    first: 'Diego',
    last: 'Rodriguez',
    email: 'Diego@Rodriguez.com',
    phone: '(650) 555-4477',
    line1: '321 Channing',
    city: 'Palo Alto',
    state: 'CA',
    zip: '94303',
    individual: true,
  },
  {
    name: 'Dukes Basketball Camp',
    first: 'Peter',
    last: 'Dukes',
    email: 'Dukes_bball@intuit.com',
    phone: '(520) 420-5638',
    line1: '25 Court St.',
    city: 'Tucson',
    state: 'AZ',
    zip: '85719',
  },
  {
    name: 'Dylan Sollfrank',
    first: 'Dylan',
    last: 'Sollfrank',
    email: 'Dylan@Sollfrank.com',
    phone: '(650) 555-1200',
    line1: '9 Harbor Way',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
    individual: true,
  },
  {
    name: 'Freeman Sporting Goods',
    first: 'Kirby',
    last: 'Freeman',
    email: 'Sporting_goods@intuit.com',
    phone: '(650) 555-0987',
    line1: '370 Easy St.',
    city: 'Middlefield',
    state: 'CA',
    zip: '94482',
    subs: [
      { name: '0969 Ocean View Road', job: true, billWithParent: true },
      { name: '55 Twin Lane', job: true, billWithParent: true },
    ],
  },
  {
    name: 'Geeta Kalapatapu',
    first: 'Geeta',
    last: 'Kalapatapu',
    email: 'Geeta@Kalapatapu.com',
    phone: '(650) 555-0022',
    line1: '1987 Main St.',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
    individual: true,
  },
  {
    name: 'Gevelber Photography',
    first: 'Lisa',
    last: 'Gevelber',
    email: 'Photography@intuit.com',
    phone: '(415) 222-4345',
    line1: '1103 Cedar Ave.',
    city: 'Half Moon Bay',
    state: 'CA',
    zip: '94213',
  },
  {
    name: "Jeff's Jalopies",
    first: 'Jeff',
    last: 'Chin',
    email: 'Jalopies@intuit.com',
    phone: '(650) 555-8989',
    line1: '12 Willow Rd.',
    city: 'Menlo Park',
    state: 'CA',
    zip: '94305',
  },
  {
    name: 'John Melton',
    first: 'John',
    last: 'Melton',
    email: 'John@Melton.com',
    phone: '(650) 555-5879',
    line1: '85 Pine St.',
    city: 'Menlo Park',
    state: 'CA',
    zip: '94304',
    individual: true,
  },
  {
    name: 'Kate Whelan',
    first: 'Kate',
    last: 'Whelan',
    email: 'Kate@Whelan.com',
    phone: '(650) 554-1479',
    line1: '45 First St.',
    city: 'Menlo Park',
    state: 'CA',
    zip: '94304',
    individual: true,
  },
  {
    name: 'Kookies by Kathy',
    first: 'Kathy',
    last: 'Kuplis',
    email: 'qbwebsamplecompany@yahoo.com',
    phone: '(650) 555-7896',
    line1: '789 Sugar Lane',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
  },
  {
    name: 'Mark Cho',
    first: 'Mark',
    last: 'Cho',
    email: 'Mark@Cho.com',
    phone: '(650) 554-1479',
    line1: '36 Willow Rd',
    city: 'Menlo Park',
    state: 'CA',
    zip: '94304',
    individual: true,
  },
  {
    name: 'Paulsen Medical Supplies',
    first: 'Kathy',
    last: 'Paulsen',
    email: 'Medical@intuit.com',
    phone: '(650) 557-8855',
    line1: '900 Main St.',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
  },
  {
    name: "Pye's Cakes",
    first: 'Karen',
    last: 'Pye',
    email: 'pyescakes@intuit.com',
    phone: '(973) 555-4652',
    line1: '350 Mountain View Dr.',
    city: 'South Orange',
    state: 'NJ',
    zip: '07079',
  },
  {
    name: 'Rago Travel Agency',
    first: 'Nicola',
    last: 'Rago',
    email: 'Nicola@RagoTravel.com',
    phone: '(650) 555-1596',
    line1: '75 Hill Ct.',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
  },
  {
    name: 'Red Rock Diner',
    first: 'Stephanie',
    last: 'Martini',
    email: 'qbwebsamplecompany@yahoo.com',
    phone: '(650) 555-4973',
    line1: '500 Red Rock Rd.',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
  },
  {
    name: 'Rondonuwu Fruit and Vegi',
    first: 'Tony',
    last: 'Rondonuwu',
    email: 'Tony@Rondonuwu.com',
    phone: '(650) 555-2645',
    line1: '847 California Ave.',
    city: 'San Jose',
    state: 'CA',
    zip: '95021',
  },
  {
    name: 'Shara Barnett',
    first: 'Shara',
    last: 'Barnett',
    email: 'Design@intuit.com',
    phone: '(650) 555-4563',
    line1: '19 Main St.',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
    individual: true,
    subs: [{ name: 'Barnett Design', job: false, billWithParent: false }],
  },
  {
    name: 'Sonnenschein Family Store',
    first: 'Russ',
    last: 'Sonnenschein',
    email: 'Familiystore@intuit.com',
    phone: '(650) 557-8463',
    line1: '5647 Cypress Hill Ave.',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
  },
  {
    name: 'Sushi by Katsuyuki',
    first: 'Katsuyuki',
    last: 'Yanagawa',
    email: 'Sushi@intuit.com',
    phone: '(505) 570-0147',
    line1: '898 Elm St.',
    city: 'Maplewood',
    state: 'NJ',
    zip: '07040',
  },
  {
    name: 'Travis Waldron',
    first: 'Travis',
    last: 'Waldron',
    email: 'Travis@Waldron.com',
    phone: '(650) 555-9874',
    line1: '78 First St.',
    city: 'Monlo Park',
    state: 'CA',
    zip: '94304',
    individual: true,
  },
  {
    name: 'Video Games by Dan',
    first: 'Dan',
    last: 'Miller',
    email: 'Videogames@intuit.com',
    phone: '(650) 555-3456',
    line1: '1525 Stonewall St.',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
  },
  {
    name: 'Wedding Planning by Whitney',
    first: 'Whitney',
    last: 'Shemwell',
    email: 'Dream_Wedding@intuit.com',
    phone: '(650) 557-2473',
    line1: '135 Broadway',
    city: 'Middlefield',
    state: 'CA',
    zip: '94303',
  },
  {
    name: 'Weiskopf Consulting',
    first: 'Nicola',
    last: 'Weiskopf',
    email: 'Consulting@intuit.com',
    phone: '(650) 555-1423',
    line1: '45612 Main St.',
    city: 'Bayshore',
    state: 'CA',
    zip: '94326',
  },
];

const SANDBOX_ITEMS: ReadonlyArray<{
  name: string;
  type: SeedItemType;
  price: string;
  cost: string;
  desc: string;
}> = [
  {
    name: 'Concrete',
    type: 'Service',
    price: '0.00',
    cost: '0.00',
    desc: 'Concrete for fountain installation',
  },
  { name: 'Design', type: 'Service', price: '75.00', cost: '0.00', desc: 'Custom Design' },
  { name: 'Gardening', type: 'Service', price: '0.00', cost: '0.00', desc: 'Weekly Gardening Service' },
  { name: 'Hours', type: 'Service', price: '0.00', cost: '0.00', desc: 'Hours' },
  {
    name: 'Installation',
    type: 'Service',
    price: '50.00',
    cost: '0.00',
    desc: 'Installation of landscape design',
  },
  { name: 'Lighting', type: 'Service', price: '0.00', cost: '0.00', desc: 'Garden Lighting' },
  {
    name: 'Maintenance & Repair',
    type: 'Service',
    price: '0.00',
    cost: '0.00',
    desc: 'Maintenance & Repair',
  },
  { name: 'Pest Control', type: 'Service', price: '35.00', cost: '0.00', desc: 'Pest Control Services' },
  { name: 'Pump', type: 'Inventory', price: '15.00', cost: '10.00', desc: 'Fountain Pump' },
  { name: 'Rock Fountain', type: 'Inventory', price: '275.00', cost: '125.00', desc: 'Rock Fountain' },
  { name: 'Rocks', type: 'NonInventory', price: '0.00', cost: '0.00', desc: 'Garden Rocks' },
  { name: 'Services', type: 'Service', price: '0.00', cost: '0.00', desc: 'Services' },
  { name: 'Sod', type: 'NonInventory', price: '0.00', cost: '0.00', desc: 'Sod' },
  { name: 'Sprinkler Heads', type: 'Inventory', price: '2.00', cost: '0.75', desc: 'Sprinkler Heads' },
  { name: 'Sprinkler Pipes', type: 'Inventory', price: '4.00', cost: '2.50', desc: 'Sprinkler Pipes' },
  { name: 'Trimming', type: 'Service', price: '35.00', cost: '0.00', desc: 'Tree and Shrub Trimming' },
];

const FIRST = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Carlos',
  'Karen',
  'Daniel',
  'Lisa',
  'Matthew',
  'Nancy',
  'Anthony',
  'Betty',
  'Mark',
  'Sandra',
  'Wei',
  'Ashley',
  'Steven',
  'Kimberly',
  'Paul',
  'Emily',
  'Andrew',
  'Donna',
  'Joshua',
  'Michelle',
  'Kenji',
  'Carol',
  'Priya',
  'Amanda',
  'Omar',
  'Melissa',
  'Kevin',
  'Deborah',
  'Brian',
  'Stephanie',
  'George',
  'Rebecca',
  'Timothy',
  'Sharon',
  'Ronald',
  'Laura',
  'Jason',
  'Cynthia',
  'Edward',
  'Aisha',
  'Jeffrey',
  'Amy',
  'Ryan',
  'Angela',
  'Jacob',
  'Shirley',
  'Gary',
  'Anna',
  'Nicholas',
  'Brenda',
  'Eric',
  'Pamela',
  'Jonathan',
  'Emma',
  'Stephen',
  'Nicole',
  'Larry',
  'Helen',
  'Justin',
  'Samantha',
  'Scott',
  'Katherine',
  'Brandon',
  'Christine',
  'Benjamin',
  'Debra',
  'Samuel',
  'Rachel',
  'Gregory',
  'Carolyn',
  'Alexander',
  'Janet',
  'Frank',
  'Maria',
  'Raymond',
  'Olivia',
  'Jack',
  'Heather',
  'Dennis',
  'Helga',
  'Jerry',
  'Diane',
  'Tyler',
  'Ruth',
  'Aaron',
  'Julie',
  'Jose',
  'Joyce',
  'Adam',
  'Virginia',
  'Nathan',
  'Victoria',
  'Henry',
  'Kelly',
  'Douglas',
  'Lauren',
  'Zachary',
  'Christina',
  'Peter',
  'Joan',
  'Kyle',
  'Evelyn',
  'Noah',
  'Judith',
  'Ethan',
  'Megan',
  'Jeremy',
  'Andrea',
  'Walter',
  'Cheryl',
  'Christian',
  'Hannah',
  'Keith',
  'Jacqueline',
  'Roger',
  'Martha',
  'Terry',
  'Gloria',
  'Austin',
  'Teresa',
  'Sean',
  'Ann',
  'Gerald',
  'Sara',
  'Carl',
  'Madison',
  'Harold',
  'Frances',
  'Dylan',
  'Kathryn',
  'Arthur',
  'Janice',
  'Lawrence',
  'Jean',
  'Jordan',
  'Abigail',
  'Jesse',
  'Alice',
  'Bryan',
  'Judy',
  'Billy',
  'Sophia',
  'Bruce',
  'Grace',
  'Gabriel',
  'Denise',
  'Joe',
  'Amber',
  'Logan',
  'Doris',
  'Alan',
  'Marilyn',
  'Juan',
  'Danielle',
  'Albert',
  'Beverly',
  'Willie',
  'Isabella',
  'Elijah',
  'Theresa',
  'Wayne',
  'Diana',
  'Randy',
  'Natalie',
  'Vincent',
  'Brittany',
  'Mason',
  'Charlotte',
  'Roy',
  'Marie',
  'Ralph',
  'Kayla',
  'Bobby',
  'Alexis',
  'Russell',
  'Lori',
  'Bradley',
  'Yuki',
  'Philip',
  'Fatima',
  'Eugene',
  'Ingrid',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'James',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  'Powell',
  'Jenkins',
  'Perry',
  'Russell',
  'Sullivan',
  'Bell',
  'Coleman',
  'Butler',
  'Henderson',
  'Barnes',
  'Gonzales',
  'Fisher',
  'Vasquez',
  'Simmons',
  'Romero',
  'Jordan',
  'Patterson',
  'Alexander',
  'Hamilton',
  'Graham',
  'Reynolds',
  'Griffin',
  'Wallace',
  'Moreno',
  'West',
  'Cole',
  'Hayes',
  'Bryant',
  'Herrera',
  'Gibson',
  'Ellis',
  'Tran',
  'Medina',
  'Aguilar',
  'Stevens',
  'Murray',
  'Ford',
  'Castro',
  'Marshall',
  'Owens',
  'Harrison',
  'Fernandez',
  'McDonald',
  'Woods',
  'Washington',
  'Kennedy',
  'Wells',
  'Vargas',
  'Henry',
  'Chen',
  'Freeman',
  'Webb',
  'Tucker',
  'Guzman',
  'Burns',
  'Crawford',
  'Olson',
  'Simpson',
  'Porter',
  'Hunter',
  'Gordon',
  'Mendez',
  'Silva',
  'Shaw',
  'Snyder',
  'Mason',
  'Dixon',
  "O'Brien",
  'Hunt',
  'Hicks',
  'Holmes',
  'Palmer',
  'Wagner',
  'Black',
  'Robertson',
  'Boyd',
  'Rose',
  'Stone',
  'Salazar',
  'Fox',
  'Warren',
  'Mills',
  'Meyer',
  'Rice',
  'Schmidt',
  'Garza',
  'Daniels',
  'Ferguson',
  'Nichols',
  'Stephens',
  'Soto',
  'Weaver',
  'Ryan',
  'Gardner',
  'Payne',
  'Grant',
  'Dunn',
  'Kelley',
  'Spencer',
  'Hawkins',
  'Arnold',
  'Pierce',
  'Vazquez',
  'Hansen',
  'Peters',
  'Santos',
  'Hart',
  'Bradley',
  'Knight',
  'Elliott',
  'Cunningham',
  'Duncan',
  'Armstrong',
  'Hudson',
  'Carroll',
  'Lane',
  'Riley',
  'Andrews',
  'Alvarado',
  'Ray',
  'Delgado',
  'Berry',
  'Perkins',
  'Hoffman',
  'Johnston',
  'Matthews',
  'Pena',
  'Richards',
  'Contreras',
  'Willis',
  'Carpenter',
  'Lawrence',
  'Sandoval',
  'Yamamoto',
  'Kowalski',
  'Novak',
  'Larsen',
  'Dubois',
  'Rossi',
  'Müller',
];
const PLACE = [
  'Harbor',
  'Summit',
  'Cedar',
  'Pine Valley',
  'Riverside',
  'Lakeside',
  'Blue Ridge',
  'Golden Gate',
  'Sunset',
  'Northwind',
  'Evergreen',
  'Maple',
  'Oak Hill',
  'Silver Creek',
  'Red Rock',
  'Bayview',
  'Highland',
  'Meadow',
  'Coastal',
  'Granite',
  'Prairie',
  'Canyon',
  'Willow',
  'Aspen',
  'Birch',
  'Stonebridge',
  'Ironwood',
  'Brookside',
  'Fairview',
  'Westfield',
  'Eastgate',
  'Southpoint',
  'Northgate',
  'Clearwater',
  'Pacific',
  'Atlantic',
  'Mesa',
  'Sierra',
  'Cascade',
  'Timberline',
  'Crescent',
  'Heritage',
  'Liberty',
  'Pioneer',
  'Frontier',
  'Keystone',
  'Landmark',
  'Beacon',
  'Lighthouse',
  'Anchor',
  'Compass',
  'Orchard',
  'Vineyard',
  'Foxglove',
  'Juniper',
  'Magnolia',
  'Sequoia',
  'Redwood',
  'Cypress',
  'Alder',
  'Hawthorn',
  'Copper',
  'Cobalt',
  'Emerald',
  'Sapphire',
  'Amber',
  'Onyx',
  'Quartz',
  'Falcon',
  'Eagle',
  'Osprey',
  'Heron',
  'Otter',
  'Bison',
  'Mustang',
  'Raven',
  'Sparrow',
  'Wren',
  'Lark',
  'Starling',
  'Polaris',
  'Orion',
  'Apex',
  'Zenith',
  'Vertex',
  'Pinnacle',
  'Horizon',
  'Meridian',
  'Solstice',
  'Equinox',
  'Tidewater',
  'Driftwood',
  'Sandstone',
  'Limestone',
  'Bluewater',
  'Greenfield',
  'Fieldstone',
  'Hillcrest',
  'Glenwood',
  'Rosewood',
  'Elmwood',
  'Kingsley',
  'Ashford',
  'Bramble',
  'Thornton',
  'Windmill',
  'Millbrook',
  'Brightwater',
  'Starlight',
  'Moonstone',
];
const TRADE = [
  'Plumbing',
  'Roofing',
  'Dental Group',
  'Landscaping',
  'Bakery',
  'Auto Repair',
  'Consulting',
  'Architects',
  'Electric',
  'Design Studio',
  'Veterinary Clinic',
  'Fitness',
  'Coffee Roasters',
  'Brewing Company',
  'Pharmacy',
  'Hardware',
  'Realty',
  'Insurance Agency',
  'Law Offices',
  'Accounting',
  'Marketing',
  'Printing',
  'Photography',
  'Catering',
  'Florist',
  'Cleaning Services',
  'Construction',
  'Logistics',
  'Outfitters',
  'Medical Supplies',
  'Pool & Spa',
  'Heating & Cooling',
  'Painting',
  'Flooring',
  'Cabinetry',
  'Glass Works',
  'Machine Shop',
  'Software',
  'IT Services',
  'Staffing',
  'Travel',
  'Bookstore',
  'Music School',
  'Dance Academy',
  'Pet Grocery',
  'Tailors',
  'Jewelers',
  'Optometry',
  'Chiropractic',
  'Physical Therapy',
  'Pediatrics',
  'Daycare',
  'Tutoring',
  'Event Rentals',
  'Sign Company',
  'Moving & Storage',
  'Tree Service',
  'Irrigation',
  'Solar',
  'Pest Control',
  'Security Systems',
  'Locksmiths',
  'Upholstery',
  'Deli',
  'Pizzeria',
  'Taqueria',
  'Sushi Bar',
  'Bistro',
  'Winery',
  'Farms',
  'Nursery',
  'Feed & Supply',
  'Marine Services',
  'Aviation',
  'Cycles',
  'Surf Shop',
  'Ski & Board',
  'Golf Supply',
  'Sporting Goods',
  'Toys',
  'Games',
  'Gallery',
  'Framing',
  'Pottery',
  'Textiles',
  'Apparel',
  'Footwear',
  'Cosmetics',
  'Salon',
  'Barbers',
  'Spa',
  'Yoga',
  'Martial Arts',
  'Climbing Gym',
  'Equipment Rental',
  'Welding',
  'Fabrication',
  'Engineering',
  'Surveying',
  'Labs',
];
const SUFFIX = [
  '',
  '',
  '',
  ' Inc.',
  ' LLC',
  ' Co.',
  ' Corp.',
  ' Ltd.',
  ' & Sons',
  ' Group',
  ' Partners',
  ' Company',
];
const INDUSTRY = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Food & Beverage',
  'Healthcare',
  'Hospitality',
  'Manufacturing',
  'Media',
  'Recreation',
  'Retail',
  'Technology',
  'Transportation',
];
const TITLES = [
  'Owner',
  'President',
  'CEO',
  'CFO',
  'Office Manager',
  'Controller',
  'Bookkeeper',
  'Operations Manager',
  'Purchasing Manager',
  'General Manager',
];
const STREETS = [
  'Main St.',
  'Oak Ave.',
  'Elm St.',
  'Maple Dr.',
  'Cedar Ln.',
  'Pine St.',
  'Washington Blvd.',
  'Lake Rd.',
  'Hill St.',
  'Park Ave.',
  'Sunset Blvd.',
  'River Rd.',
  'Church St.',
  'Mill Rd.',
  'Spring St.',
  'Market St.',
  'Broadway',
  'Highland Ave.',
  'Union St.',
  'Front St.',
];
const CITIES: ReadonlyArray<[string, string, string]> = [
  ['San Francisco', 'CA', '941'],
  ['Oakland', 'CA', '946'],
  ['San Jose', 'CA', '951'],
  ['Sacramento', 'CA', '958'],
  ['Los Angeles', 'CA', '900'],
  ['San Diego', 'CA', '921'],
  ['Portland', 'OR', '972'],
  ['Seattle', 'WA', '981'],
  ['Spokane', 'WA', '992'],
  ['Boise', 'ID', '837'],
  ['Phoenix', 'AZ', '850'],
  ['Tucson', 'AZ', '857'],
  ['Denver', 'CO', '802'],
  ['Boulder', 'CO', '803'],
  ['Austin', 'TX', '787'],
  ['Dallas', 'TX', '752'],
  ['Houston', 'TX', '770'],
  ['Chicago', 'IL', '606'],
  ['Madison', 'WI', '537'],
  ['Minneapolis', 'MN', '554'],
  ['Detroit', 'MI', '482'],
  ['Columbus', 'OH', '432'],
  ['Atlanta', 'GA', '303'],
  ['Miami', 'FL', '331'],
  ['Orlando', 'FL', '328'],
  ['Charlotte', 'NC', '282'],
  ['Raleigh', 'NC', '276'],
  ['Nashville', 'TN', '372'],
  ['Boston', 'MA', '021'],
  ['Providence', 'RI', '029'],
  ['New York', 'NY', '100'],
  ['Brooklyn', 'NY', '112'],
  ['Newark', 'NJ', '071'],
  ['Philadelphia', 'PA', '191'],
  ['Pittsburgh', 'PA', '152'],
  ['Baltimore', 'MD', '212'],
];
const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'proton.me'];
const ITEM_WORDS = [
  'Deluxe',
  'Standard',
  'Premium',
  'Compact',
  'Heavy-Duty',
  'Eco',
  'Pro',
  'Classic',
  'Ultra',
  'Basic',
];
const ITEM_NOUNS: ReadonlyArray<[string, SeedItemType, string]> = [
  ['Consulting Hour', 'Service', 'Services'],
  ['Site Visit', 'Service', 'Services'],
  ['Installation', 'Service', 'Services'],
  ['Support Plan', 'Service', 'Services'],
  ['Training Session', 'Service', 'Services'],
  ['Design Package', 'Service', 'Services'],
  ['Maintenance Visit', 'Service', 'Services'],
  ['Inspection', 'Service', 'Services'],
  ['Garden Hose', 'Inventory', 'Hardware'],
  ['Pump', 'Inventory', 'Hardware'],
  ['Valve', 'Inventory', 'Hardware'],
  ['Filter', 'Inventory', 'Hardware'],
  ['Controller', 'Inventory', 'Hardware'],
  ['Sensor', 'Inventory', 'Hardware'],
  ['Fountain', 'Inventory', 'Hardware'],
  ['Planter', 'Inventory', 'Hardware'],
  ['Mulch Bag', 'NonInventory', 'Materials'],
  ['Gravel Ton', 'NonInventory', 'Materials'],
  ['Sod Pallet', 'NonInventory', 'Materials'],
  ['Paver Set', 'NonInventory', 'Materials'],
  ['Fertilizer', 'NonInventory', 'Materials'],
  ['Seed Mix', 'NonInventory', 'Materials'],
  ['Edging Roll', 'NonInventory', 'Materials'],
  ['Lumber Bundle', 'NonInventory', 'Materials'],
];

/** How many items the catalog holds for a given number of records. */
export function itemCount(records: number): number {
  return Math.max(SANDBOX_ITEMS.length, Math.min(2000, Math.ceil(records / 20)));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function phone(rng: Rng, area?: string): string {
  return flat(`(${area ?? rng.int(201, 989)}) 555-${pad(rng.int(0, 9999), 4)}`);
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 24);
}

/** Presence and match kind of company i: the mix that makes matching a real problem. */
function classify(rng: Rng): { presence: Presence; match: MatchKind } {
  const p = rng.next();
  const presence: Presence = p < 0.7 ? 'both' : p < 0.85 ? 'qbo' : 'sf';
  if (presence !== 'both') return { presence, match: 'none' };
  const m = rng.next();
  const match: MatchKind = m < 0.45 ? 'exact' : m < 0.75 ? 'normalized' : m < 0.92 ? 'email' : 'none';
  return { presence, match };
}

/** A spelling that differs only in case, punctuation or spacing. */
function normalizedVariant(name: string, rng: Rng): string {
  const options = [
    () => name.toUpperCase(),
    () => name.replace(/[.'’,&-]/g, ''),
    () => name.replace(/ /g, '  '),
    () => name.toLowerCase(),
    () => `${name}.`,
    () => name.replace(/'/g, '’'),
  ];
  for (let i = 0; i < options.length; i++) {
    const v = rng.pick(options)();
    if (v !== name) return v;
  }
  return name.toUpperCase() === name ? name.toLowerCase() : name.toUpperCase();
}

/** A spelling a normalizing rule cannot tie back (a word added, changed or dropped). */
function differentVariant(name: string, rng: Rng): string {
  if (name.includes(' & ')) return name.replace(' & ', ' and ');
  if (/ and /.test(name)) return name.replace(' and ', ' & ');
  if (/ (Inc\.|LLC|Co\.|Corp\.|Ltd\.|Group|Company)$/.test(name))
    return name.replace(/ (Inc\.|LLC|Co\.|Corp\.|Ltd\.|Group|Company)$/, '');
  return rng.pick([`${name} Inc.`, `The ${name}`, `${name} LLC`, `${name} (HQ)`]);
}

function address(rng: Rng): SeedAddress {
  const [city, state, zip3] = rng.pick(CITIES);
  return {
    line1: flat(`${rng.int(1, 9999)} ${rng.pick(STREETS)}`),
    city,
    state,
    postalCode: `${zip3}${pad(rng.int(1, 99), 2)}`,
    country: 'USA',
  };
}

/** Company number i (0-based) of the universe for this seed. Pure: same inputs, same company. */
export function company(seed: number | string, i: number): SeedCompany {
  const rng = new Rng(`${seed}:company:${i}`);
  const { presence, match } = i < SANDBOX_CUSTOMERS.length ? sandboxClass(i) : classify(rng);
  if (i < SANDBOX_CUSTOMERS.length) return sandboxCompany(rng, i, presence, match);

  const { qboName, first, last, individual } = i < SMALL ? smallNames(seed)[i]! : baseName(seed, i);
  const domain = individual
    ? rng.pick(EMAIL_DOMAINS)
    : `${slug(qboName.replace(/ #\d+$/, ''))}${i}.example.com`;
  const email = flat(individual ? `${slug(first)}.${slug(last)}${i}@${domain}` : `${slug(first)}@${domain}`);
  const billing = address(rng);
  const contact: SeedPerson = {
    salutation: rng.pick(['Mr.', 'Ms.', 'Mrs.', 'Dr.', '']),
    firstName: first,
    lastName: last,
    title: individual ? '' : rng.pick(TITLES),
    email,
    phone: phone(rng),
    mobile: rng.chance(0.5) ? phone(rng) : null,
  };
  const sfName = flat(sfSpelling(qboName, match, presence, rng));
  const subCount = !individual && rng.chance(0.08) ? rng.int(1, 3) : 0;
  const subCustomers: SeedSubCustomer[] = [];
  for (let s = 0; s < subCount; s++) {
    const job = rng.chance(0.6);
    subCustomers.push({
      name: flat(
        job
          ? `${rng.int(10, 9999)} ${rng.pick(STREETS)} ${rng.pick(['Remodel', 'Install', 'Project', 'Phase ' + (s + 1)])}`
          : `${rng.pick(PLACE)} Branch`,
      ),
      job,
      billWithParent: job && rng.chance(0.7),
    });
  }
  return {
    index: i,
    key: `c${i}`,
    qboName,
    sfName,
    individual,
    presence,
    match,
    contact,
    sfEmail: match === 'none' && presence === 'both' ? flat(`info@${slug(sfName)}${i}.example.org`) : email,
    website: individual ? null : flat(`https://www.${domain}`),
    fax: rng.chance(0.15) ? phone(rng) : null,
    billing,
    shipping: rng.chance(0.3) ? address(rng) : null,
    notes: rng.chance(0.2)
      ? rng.pick([
          'Net 30 approved',
          'Prefers email invoices',
          'Tax exempt certificate on file',
          'Call before delivery',
          'Key account',
        ])
      : null,
    taxable: rng.chance(0.8),
    industry: rng.pick(INDUSTRY),
    subCustomers: subCustomers.filter((s, k) => subCustomers.findIndex((o) => o.name === s.name) === k),
  };
}

// Below SMALL the names carry no number, so collisions are resolved against earlier companies
// once per seed; from SMALL on, a store/branch number (as real customer lists often carry) keeps
// 100,000s of names unique without any global registry.
const SMALL = 2000;
const smallNameCache = new Map<string, BaseName[]>();

interface BaseName {
  qboName: string;
  first: string;
  last: string;
  individual: boolean;
}

function baseName(seed: number | string, i: number): BaseName {
  const rng = new Rng(`${seed}:name:${i}`);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const individual = rng.chance(0.12);
  const unique = i >= SMALL ? ` #${i}` : '';
  if (individual) return { qboName: flat(`${first} ${last}${unique}`), first, last, individual };
  const style = rng.int(0, 3);
  const trade = rng.pick(TRADE);
  const base =
    style === 0
      ? `${last} ${trade}`
      : style === 2
        ? `${last} & ${rng.pick(LAST)}`
        : `${rng.pick(PLACE)} ${trade}`;
  const suffix = rng.pick(SUFFIX);
  return {
    qboName: flat(`${base}${style === 2 && suffix.includes('&') ? '' : suffix}${unique}`),
    first,
    last,
    individual,
  };
}

function smallNames(seed: number | string): BaseName[] {
  const key = String(seed);
  const cached = smallNameCache.get(key);
  if (cached) return cached;
  const taken = new Set<string>(SANDBOX_CUSTOMERS.map((c) => c.name.toLowerCase()));
  const names: BaseName[] = [];
  for (let i = 0; i < SMALL; i++) {
    const b = baseName(seed, i);
    let name = b.qboName;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${b.qboName} ${n}`;
    taken.add(name.toLowerCase());
    names.push({ ...b, qboName: name });
  }
  smallNameCache.set(key, names);
  return names;
}

function sandboxClass(i: number): { presence: Presence; match: MatchKind } {
  // A fixed, readable mix for the famous 26: most on both sides, a few one-sided.
  const table: Array<[Presence, MatchKind]> = [
    ['both', 'normalized'],
    ['both', 'exact'],
    ['both', 'exact'],
    ['qbo', 'none'],
    ['both', 'normalized'],
    ['qbo', 'none'],
    ['both', 'exact'],
    ['both', 'email'],
    ['both', 'exact'],
    ['both', 'normalized'],
    ['sf', 'none'],
    ['both', 'exact'],
    ['both', 'none'],
    ['qbo', 'none'],
    ['both', 'exact'],
    ['both', 'normalized'],
    ['both', 'email'],
    ['both', 'exact'],
    ['both', 'email'],
    ['both', 'exact'],
    ['both', 'exact'],
    ['both', 'normalized'],
    ['sf', 'none'],
    ['both', 'exact'],
    ['both', 'exact'],
    ['both', 'email'],
  ];
  const [presence, match] = table[i]!;
  return { presence, match };
}

function sandboxCompany(rng: Rng, i: number, presence: Presence, match: MatchKind): SeedCompany {
  const s = SANDBOX_CUSTOMERS[i]!;
  const sfName = sfSpelling(s.name, match, presence, rng);
  return {
    index: i,
    key: `c${i}`,
    qboName: s.name,
    sfName,
    individual: s.individual ?? false,
    presence,
    match,
    contact: {
      salutation: '',
      firstName: s.first,
      lastName: s.last,
      title: s.individual ? '' : 'Owner',
      email: s.email,
      phone: s.phone,
      mobile: null,
    },
    sfEmail: match === 'none' && presence === 'both' ? `office@${slug(sfName)}.example.org` : s.email,
    website: s.individual ? null : `http://${slug(s.name)}.intuit.com`,
    fax: null,
    billing: { line1: s.line1, city: s.city, state: s.state, postalCode: s.zip, country: 'USA' },
    shipping: null,
    notes: null,
    taxable: i % 3 !== 0,
    industry: 'Retail',
    subCustomers: s.subs ? [...s.subs] : [],
  };
}

function sfSpelling(qboName: string, match: MatchKind, presence: Presence, rng: Rng): string {
  if (presence !== 'both') return qboName;
  switch (match) {
    case 'exact':
      return qboName;
    case 'normalized':
      return normalizedVariant(qboName, rng);
    case 'email':
    case 'none':
      return differentVariant(qboName, rng);
  }
}

/** Companies 0..count-1, generated lazily. */
export function* companies(seed: number | string, count: number): Generator<SeedCompany> {
  for (let i = 0; i < count; i++) yield company(seed, i);
}

/** Item number i (0-based) of the product catalog for this seed. */
export function item(seed: number | string, i: number): SeedItem {
  const rng = new Rng(`${seed}:item:${i}`);
  if (i < SANDBOX_ITEMS.length) {
    const s = SANDBOX_ITEMS[i]!;
    return {
      index: i,
      key: `i${i}`,
      name: s.name,
      sku: `SB-${pad(i + 1, 4)}`,
      type: s.type,
      description: s.desc,
      unitPrice: s.price,
      purchaseCost: s.cost,
      qtyOnHand: s.type === 'Inventory' ? 25 + i : 0,
      presence: i % 5 === 4 ? 'qbo' : 'both',
      family: s.type === 'Service' ? 'Services' : 'Hardware',
    };
  }
  const [noun, type, family] = rng.pick(ITEM_NOUNS);
  const price = type === 'Service' ? rng.int(40, 250) * 100 : rng.int(199, 99_999);
  const cost = Math.floor(price * (0.35 + rng.next() * 0.3));
  const p = rng.next();
  return {
    index: i,
    key: `i${i}`,
    name: flat(`${rng.pick(ITEM_WORDS)} ${noun} ${pad(i, 4)}`),
    sku: `LB-${pad(i, 5)}`,
    type,
    description: flat(`${noun} (${family.toLowerCase()})`),
    unitPrice: (price / 100).toFixed(2),
    purchaseCost: type === 'Service' ? '0.00' : (cost / 100).toFixed(2),
    qtyOnHand: type === 'Inventory' ? rng.int(0, 500) : 0,
    presence: p < 0.8 ? 'both' : p < 0.9 ? 'qbo' : 'sf',
    family,
  };
}

/** Ground truth for matching tests: which QuickBooks and Salesforce spellings belong together. */
export function expectedPairs(
  seed: number | string,
  count: number,
): Array<{ key: string; qboName: string; sfName: string; match: MatchKind }> {
  const out: Array<{ key: string; qboName: string; sfName: string; match: MatchKind }> = [];
  for (const c of companies(seed, count))
    if (c.presence === 'both') out.push({ key: c.key, qboName: c.qboName, sfName: c.sfName, match: c.match });
  return out;
}
